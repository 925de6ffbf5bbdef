"""Webhooks of the awkward catalog: the whole shop as a replay, partial product bodies, stock per location."""

from __future__ import annotations

import json
from collections import Counter

from click.testing import CliRunner

from app.demo_store import DemoStore, catalog, locations
from app.demo_store.cli import demo_store_cli
from app.demo_store.rest_bodies import REST_VARIANT_LIMIT
from tests.demo_store.conftest import AWKWARD_SHOP
from tests.demo_store.test_webhooks import _verify

ADJUST = """mutation($input: InventoryAdjustQuantitiesInput!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: "%s") {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange location { name } } }
    userErrors { code field message } } }"""


def _replayed(awkward, deliveries) -> list[tuple[str, dict]]:
    awkward.replay(AWKWARD_SHOP, url="https://app.test/webhooks/shopify")
    return [(d["headers"]["X-Shopify-Topic"], _verify(d)) for d in deliveries]


def test_replay_carries_every_row_of_the_shop(awkward, deliveries):
    snap = awkward.snapshot(AWKWARD_SHOP)
    events = _replayed(awkward, deliveries)
    counts = Counter(topic for topic, _ in events)
    assert counts == {
        "locations/create": 4, "collections/create": 5, "products/create": 12, "inventory_levels/update": len(snap["inventoryLevels"]),
        "orders/create": 6, "fulfillments/create": 3, "refunds/create": 1, "orders/updated": 2,
    }  # fmt: skip
    bodies = {topic: [b for t, b in events if t == topic] for topic in counts}
    products = bodies["products/create"]
    assert [catalog.gid("Product", p["id"]) for p in products] == [p["id"] for p in snap["products"]]
    variant_gids = [v["admin_graphql_api_id"] for p in products for v in p["variant_gids"]]
    assert variant_gids == [v["id"] for v in snap["variants"]]
    assert [m["admin_graphql_api_id"] for p in products for m in p["media"]] == [
        m["id"] for m in snap["media"]
    ]
    levels = [lv["admin_graphql_api_id"] for lv in bodies["inventory_levels/update"]]
    assert levels == [lv["id"] for lv in snap["inventoryLevels"]]
    assert [lv["available"] for lv in bodies["inventory_levels/update"]] == [
        lv["available"] for lv in snap["inventoryLevels"]
    ]
    lines = [li["admin_graphql_api_id"] for o in bodies["orders/create"] for li in o["line_items"]]
    assert lines == [li["id"] for li in snap["lineItems"]]
    fulfillments = bodies["fulfillments/create"]
    assert [f["admin_graphql_api_id"] for f in fulfillments] == [f["id"] for f in snap["fulfillments"]]
    assert [(f["tracking_company"], f["tracking_number"], f["tracking_url"]) for f in fulfillments] == [
        (f["trackingCompany"], f["trackingNumber"], f["trackingUrl"]) for f in snap["fulfillments"]
    ]
    (refund,) = bodies["refunds/create"]
    assert refund["admin_graphql_api_id"] == snap["refunds"][0]["id"]
    (transaction,) = refund["transactions"]  # what the refund returned, as Shopify's body carries it
    assert (transaction["kind"], transaction["status"]) == ("refund", "success")
    assert transaction["amount"] == snap["refunds"][0]["totalRefunded"]
    assert [c["admin_graphql_api_id"] for c in bodies["collections/create"]] == [
        c["id"] for c in snap["collections"]
    ]


def test_a_huge_product_body_is_partial_and_says_so(awkward, deliveries):
    body = awkward.product_payload(AWKWARD_SHOP, awkward.product(AWKWARD_SHOP, 2))
    assert len(body["variants"]) == REST_VARIANT_LIMIT
    assert len(body["variant_gids"]) == 2048
    small = awkward.product_payload(AWKWARD_SHOP, awkward.product(AWKWARD_SHOP, 1))
    assert len(small["variants"]) == len(small["variant_gids"]) == 100
    first = small["variants"][0]
    assert first["image_id"] == small["images"][0]["id"] and small["images"][0]["variant_ids"] == [
        first["id"]
    ]
    assert (first["option1"], first["option2"]) == ("Red", "EU 34") and first["inventory_quantity"] == 10
    blank = awkward.product_payload(AWKWARD_SHOP, awkward.product(AWKWARD_SHOP, 4))["variants"]
    assert [(v["sku"], v["barcode"]) for v in blank] == [("", ""), (None, None), ("", None)]
    draft = awkward.product_payload(AWKWARD_SHOP, awkward.product(AWKWARD_SHOP, 6))
    assert draft["status"] == "draft" and draft["published_at"] is None


def test_order_bodies_carry_fulfillments_refunds_and_line_statuses(awkward):
    long = awkward.order_payload(AWKWARD_SHOP, awkward.order(AWKWARD_SHOP, 0))
    assert len(long["line_items"]) == 500 and long["fulfillment_status"] == "partial"
    assert Counter(li["fulfillment_status"] for li in long["line_items"]) == {"fulfilled": 450, None: 50}
    assert [f["shipment_status"] for f in long["fulfillments"]] == ["delivered", "in_transit"]
    assert [len(f["line_items"]) for f in long["fulfillments"]] == [300, 150]
    refunded = awkward.order_payload(AWKWARD_SHOP, awkward.order(AWKWARD_SHOP, 1))
    assert refunded["financial_status"] == "partially_refunded"
    (refund,) = refunded["refunds"]
    assert [(r["quantity"], r["restock_type"]) for r in refund["refund_line_items"]] == [
        (1, "return"),
        (1, "no_restock"),
    ]
    assert [li["current_quantity"] for li in refunded["line_items"]] == [1, 1, 2]


def test_stock_moves_per_location_and_fires_per_location(gql, awkward, deliveries):
    awkward.subscribe(AWKWARD_SHOP, "INVENTORY_LEVELS_UPDATE", "https://app.test/hook")
    item = catalog.gid("InventoryItem", awkward.product(AWKWARD_SHOP, 1)["variants"][0]["inventory_item_id"])

    def adjust(key: str, location: int, delta: int, expected: int | None):
        change = {"inventoryItemId": item, "locationId": catalog.gid("Location", location), "delta": delta,
                  "changeFromQuantity": expected}  # fmt: skip
        query = ADJUST % key
        data = {"name": "available", "reason": "correction", "changes": [change]}
        return gql(query, {"input": data}, shop=AWKWARD_SHOP).json()["data"]["inventoryAdjustQuantities"]

    done = adjust("k1", locations.STORE, -2, 6)
    assert done["userErrors"] == []
    assert done["inventoryAdjustmentGroup"]["changes"][0]["location"]["name"] == "Porto store"
    (delivery,) = deliveries
    body = _verify(delivery)
    assert (body["location_id"], body["available"]) == (locations.STORE, 4)
    assert (
        awkward.quantities(AWKWARD_SHOP, catalog.parse_gid(item, "InventoryItem"), locations.WAREHOUSE)[
            "available"
        ]
        == 4
    )
    for key, location in (("k2", locations.DEPOT), ("k3", locations.SHOWROOM)):  # closed; not stocking it
        refused = adjust(key, location, 1, None)
        assert refused["userErrors"][0]["code"] == "INVALID_LOCATION"
    assert len(deliveries) == 1


def test_collection_fulfillment_and_refund_webhooks_fire_on_demand(awkward, deliveries):
    for topic in ("COLLECTIONS_UPDATE", "FULFILLMENTS_UPDATE", "REFUNDS_CREATE"):
        awkward.subscribe(AWKWARD_SHOP, topic, "https://app.test/hook")
    awkward.fire_collection_webhook(AWKWARD_SHOP, 2)
    awkward.fire_fulfillment_webhook(AWKWARD_SHOP, 0, 1, topic="fulfillments/update")
    awkward.fire_refund_webhook(AWKWARD_SHOP, 1)
    topics = [d["headers"]["X-Shopify-Topic"] for d in deliveries]
    assert topics == ["collections/update", "fulfillments/update", "refunds/create"]
    collection, fulfillment, refund = (_verify(d) for d in deliveries)
    assert collection["handle"] == "on-sale" and collection["sort_order"] == "best-selling"
    assert fulfillment["tracking_company"] == "DHL Express" and fulfillment["order_id"] == catalog.order_id(0)
    assert refund["order_id"] == catalog.order_id(1)


def test_cli_seeds_the_awkward_catalog_fires_its_topics_and_replays_it(tmp_path, monkeypatch):
    db, runner = str(tmp_path / "demo.sqlite3"), CliRunner()
    shop = "cli-awkward.myshopify.com"
    result = runner.invoke(demo_store_cli, ["seed", "--shop", shop, "--catalog", "awkward", "--db", db])
    assert result.exit_code == 0, result.output
    assert "12 products, 6 orders" in result.output and "awkward" in result.output
    posted = []

    def capture(self, url, shop_, topic, payload):
        posted.append((topic, payload))
        return {"url": url, "body": json.dumps(payload).encode(), "headers": {}}

    monkeypatch.setattr(DemoStore, "deliver_webhook", capture)
    for args in (["fulfillments/create", "--order", "0"], ["refunds/create", "--order", "1"],
                 ["collections/create", "--collection", "3"], ["inventory_levels/update", "--product", "1"]):  # fmt: skip
        result = runner.invoke(
            demo_store_cli, ["fire", *args, "--shop", shop, "--url", "https://x.test/h", "--db", db]
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(demo_store_cli, ["fire", "refunds/create", "--order", "3", "--shop", shop,
                                            "--url", "https://x.test/h", "--db", db])  # fmt: skip
    assert result.exit_code != 0 and "has no refunds" in result.output
    result = runner.invoke(
        demo_store_cli, ["replay", "--shop", shop, "--url", "https://x.test/h", "--db", db]
    )
    assert result.exit_code == 0, result.output
    assert [t for t, _ in posted[:4]] == ["fulfillments/create", "refunds/create", "collections/create",
                                          "inventory_levels/update"]  # fmt: skip
    assert posted[3][1]["location_id"] == locations.WAREHOUSE and posted[3][1]["available"] == 4
    assert f"{len(posted) - 4} webhooks delivered" in result.output
