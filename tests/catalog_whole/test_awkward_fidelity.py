"""The awkward demo shop, synced three ways, is an exact copy of the shop: every field of every row.

Paged (full sync, then orders), bulk, and the shop's whole webhook history replayed onto an empty workspace:
signed deliveries through the real intake, inbox and workers (a partial `products/create` body is re-read
by GraphQL as Shopify would be asked). Each is compared with the demo store's own data
(`app.demo_store.snapshot`) by `fidelity.differences`; the last tests show that the comparison does catch one
altered field, in the database or in the shop.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select, update

from app.models import Integration, OrderFulfillment, ProductVariant, SyncRun
from app.sync import service
from app.sync.mapping import parse_time

from .conftest import AWKWARD_SHOP
from .fidelity import differences

SHOP = AWKWARD_SHOP


def _sync(db, run_jobs, integration_id: int, kind: str) -> None:
    run_id = service.start_sync(db.session.get(Integration, integration_id), kind).id
    run_jobs()
    run = db.session.get(SyncRun, run_id, populate_existing=True)
    assert run.status == "succeeded", run.error


def _replay(store, client, run_jobs) -> Counter:
    """Every webhook of the shop, signed by the store, posted to the app's intake in the store's order; the
    workers run after each topic's deliveries, as they would while Shopify sends the next kind of event."""
    store.captured.clear()
    store.replay(SHOP, url="http://localhost/api/webhooks/shopify")
    topic = None
    for delivery in store.captured:
        if delivery["headers"]["X-Shopify-Topic"] != topic:
            run_jobs()
            topic = delivery["headers"]["X-Shopify-Topic"]
        response = client.post("/api/webhooks/shopify", data=delivery["body"], headers=delivery["headers"])
        assert response.status_code == 200, (topic, response.data[:200])
    run_jobs()
    return Counter(d["headers"]["X-Shopify-Topic"] for d in store.captured)


def test_paged_sync_of_the_awkward_shop_is_an_exact_copy(db, store, integration_id, run_jobs):
    _sync(db, run_jobs, integration_id, "full")
    _sync(db, run_jobs, integration_id, "orders")
    assert _exact(differences(store, SHOP, integration_id))


def test_bulk_sync_of_the_awkward_shop_is_an_exact_copy(db, store, integration_id, run_jobs):
    # One bulk run: products, each variant's image, locations with their levels and orders, as concurrent
    # bulk operations; no paged read adds anything.
    _sync(db, run_jobs, integration_id, "bulk")
    assert _exact(differences(store, SHOP, integration_id))


def test_replaying_the_shops_webhooks_onto_an_empty_workspace_is_an_exact_copy(
    db, store, integration_id, client, run_jobs
):
    topics = _replay(store, client, run_jobs)
    assert set(topics) == {
        "locations/create", "products/create", "collections/create", "inventory_levels/update", "orders/create",
        "fulfillments/create", "refunds/create", "orders/updated",
    }  # fmt: skip
    assert _exact(differences(store, SHOP, integration_id))


def test_the_comparison_names_a_field_altered_in_the_database(db, store, integration_id, run_jobs):
    _sync(db, run_jobs, integration_id, "full")
    _sync(db, run_jobs, integration_id, "orders")
    variant_gid = f"gid://shopify/ProductVariant/{_a_variant(store)}"
    db.session.execute(
        update(ProductVariant).where(ProductVariant.shopify_variant_id == variant_gid).values(sku="TAMPERED")
    )
    fulfillment = db.session.scalars(select(OrderFulfillment).order_by(OrderFulfillment.id)).first()
    fulfillment.tracking_number = "0000"
    db.session.commit()
    found = differences(store, SHOP, integration_id)
    sku = store.product(SHOP, 2)["variants"][777]["sku"]
    assert found == [
        f"variant {variant_gid} sku: stored 'TAMPERED', shop {sku!r}",
        f"fulfillment {fulfillment.shopify_fulfillment_id} trackingNumber: stored '0000', shop '1Z999AA10123456784'",
    ]


def test_the_comparison_names_a_field_changed_in_the_shop(db, store, integration_id, run_jobs):
    _sync(db, run_jobs, integration_id, "full")
    _sync(db, run_jobs, integration_id, "orders")
    # A product no order holds (the demo store titles an order's line items by their product's current title).
    ordered = {line["productId"] for line in store.snapshot(SHOP)["lineItems"]}
    index = next(
        i for i in range(3, 12) if f"gid://shopify/Product/{store.product(SHOP, i)['id']}" not in ordered
    )
    product = store.product(SHOP, index)
    changed = store.update_product(index, shop=SHOP, fire=False, title="Renamed behind the sync's back")
    where = f"product gid://shopify/Product/{product['id']}"
    found = differences(store, SHOP, integration_id)
    # The demo store dates a level it never changed by its product's updatedAt: those move with the product.
    own = {f"gid://shopify/ProductVariant/{v['id']}" for v in product["variants"]}
    levels = [line for line in found if line.startswith("stock ")]
    assert levels and all(line.split()[1] in own and " updatedAt: " in line for line in levels), levels
    assert [line for line in found if not line.startswith("stock ")] == [
        f"{where} title: stored {product['title']!r}, shop {changed['title']!r}",
        f"{where} updatedAt: stored {parse_time(product['updated_at'])!r}, shop {parse_time(changed['updated_at'])!r}",
    ]


def _exact(found: list[str]) -> bool:
    """True when nothing differs; else fails listing the first differences, field by field."""
    assert not found, f"{len(found)} differences, first ones:\n" + "\n".join(found[:30])
    return True


def _a_variant(store) -> int:
    return store.product(SHOP, 2)["variants"][777]["id"]
