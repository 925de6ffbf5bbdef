"""The whole shop as webhooks: every event a receiver needs to rebuild it from nothing, in causal order.

``locations/create`` for each location, ``products/create`` for each product (partial bodies for huge
products, as Shopify sends them),
``collections/create`` for each collection (after the products it holds: a receiver reads its members when
told), ``inventory_levels/update`` for each item at each location that stocks it,
``orders/create`` for each order, then ``fulfillments/create``, ``refunds/create`` and ``orders/updated`` for
the orders that have them. `ReplayMixin.replay` delivers them (signed, to the shop's subscriptions or one
URL); `catalog_events` only builds them, for tests that post them themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.demo_store import collections, locations


def catalog_events(store, shop: str) -> Iterator[tuple[str, dict]]:
    view = store.view(shop)
    for loc in locations.for_kind(view.kind):
        yield "locations/create", store.location_payload(loc)
    records = [r for r in (view.product(i) for i in range(view.product_count)) if r is not None]
    for record in records:
        yield "products/create", store.product_payload(shop, record)
    for collection in collections.for_kind(view.kind):
        yield "collections/create", store.collection_payload(collection)
    for record in records:
        for variant in record["variants"]:
            item = variant["inventory_item_id"]
            for location_id, quantities in store.levels(shop, item, variant).items():
                yield (
                    "inventory_levels/update",
                    store.inventory_payload(
                        shop, item, location_id, quantities["available"], since=record["updated_at"]
                    ),
                )
    orders = [o for o in (store.order(shop, j) for j in range(store.order_total(shop))) if o is not None]
    for order in orders:
        yield "orders/create", store.order_payload(shop, order)
    for order in orders:
        for fulfillment in order.get("fulfillments") or ():
            yield "fulfillments/create", store.fulfillment_payload(shop, order, fulfillment)
        for refund in order.get("refunds") or ():
            yield "refunds/create", store.refund_payload(shop, order, refund)
        if order.get("fulfillments") or order.get("refunds"):
            yield "orders/updated", store.order_payload(shop, order)


class ReplayMixin:
    def replay(self, shop: str, *, url: str | None = None, topics: set[str] | None = None) -> list[dict]:
        """Deliver `catalog_events` (those of ``topics`` only, when given); returns the deliveries."""
        deliveries = []
        for topic, payload in catalog_events(self, shop):
            if topics is None or topic in topics:
                deliveries.extend(self.fire(shop, topic, payload, url=url))
        return deliveries

    def fire_collection_webhook(self, shop: str, index: int, topic: str = "collections/update") -> list[dict]:
        found = collections.for_kind(self.catalog_kind(shop))
        return self.fire(shop, topic, self.collection_payload(found[index]))

    def fire_fulfillment_webhook(self, shop: str, order_index: int, n: int = 0,
                                 topic: str = "fulfillments/create") -> list[dict]:  # fmt: skip
        order = self.order(shop, order_index)
        return self.fire(shop, topic, self.fulfillment_payload(shop, order, order["fulfillments"][n]))

    def fire_refund_webhook(self, shop: str, order_index: int, n: int = 0) -> list[dict]:
        order = self.order(shop, order_index)
        return self.fire(shop, "refunds/create", self.refund_payload(shop, order, order["refunds"][n]))
