"""Collection and location webhooks keep the awkward shop's copy exact: collections/update re-reads the collection
(its REST body names no products), collections/delete and locations/delete remove the row, and an inventory level
at a location we do not hold reads that location at once (name, online orders) with its levels."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from app.demo_store import collections as demo_collections
from app.demo_store import locations as demo_locations
from app.models import Collection, CollectionProduct, Location

from .conftest import AWKWARD_SHOP as SHOP
from .fidelity import differences
from .test_awkward_fidelity import _sync

URL = "http://localhost/api/webhooks/shopify"


def _deliver(store, client, run_jobs, topic: str, payload: dict) -> None:
    store.captured.clear()
    store.fire(SHOP, topic, payload, url=URL)
    for d in store.captured:
        assert client.post("/api/webhooks/shopify", data=d["body"], headers=d["headers"]).status_code == 200
    run_jobs()


def _synced(db, store, run_jobs, integration_id) -> None:
    _sync(db, run_jobs, integration_id, "full")
    _sync(db, run_jobs, integration_id, "orders")
    assert differences(store, SHOP, integration_id) == []


def test_collection_update_reads_the_collection_whole_and_delete_removes_it(
    db,
    store,
    integration_id,
    client,
    run_jobs,
):
    _synced(db, store, run_jobs, integration_id)
    smart = next(c for c in demo_collections.for_kind("awkward") if c["kind"] == "smart")
    gid = f"gid://shopify/Collection/{smart['id']}"
    db.session.execute(delete(Collection).where(Collection.shopify_collection_id == gid))
    db.session.commit()
    assert any(
        line.startswith(f"collection {gid}: missing") for line in differences(store, SHOP, integration_id)
    )
    _deliver(store, client, run_jobs, "collections/update", store.collection_payload(smart))
    assert differences(store, SHOP, integration_id) == []  # kind, title, every member in order

    _deliver(store, client, run_jobs, "collections/delete", {"id": smart["id"]})
    assert db.session.scalar(select(func.count()).where(Collection.shopify_collection_id == gid)) == 0
    found = differences(store, SHOP, integration_id)
    # Gone from the copy, and from its members' collection lists: nothing else differs.
    assert f"collection {gid}: missing from the database" in found
    assert all(line.startswith(("product ", f"collection {gid}:")) and (" collectionIds: " in line or
               line.startswith("collection")) for line in found), found  # fmt: skip
    assert len(found) == 1 + len(demo_collections.members(smart, store.view(SHOP))), found
    assert (
        db.session.scalar(select(func.count()).select_from(CollectionProduct)) > 0
    )  # the others keep theirs


def test_a_level_at_a_location_we_do_not_hold_reads_that_location(
    db,
    store,
    integration_id,
    client,
    run_jobs,
):
    _synced(db, store, run_jobs, integration_id)
    gid = f"gid://shopify/Location/{demo_locations.SHOWROOM}"
    db.session.execute(delete(Location).where(Location.shopify_location_id == gid))  # its levels go with it
    db.session.commit()
    record = store.product(SHOP, 1)
    variant = next(
        v for v in record["variants"] if demo_locations.SHOWROOM in store.levels(SHOP, v["inventory_item_id"])
    )
    item = variant["inventory_item_id"]
    available = store.levels(SHOP, item)[demo_locations.SHOWROOM]["available"]
    payload = store.inventory_payload(
        SHOP, item, demo_locations.SHOWROOM, available, since=record["updated_at"]
    )
    _deliver(store, client, run_jobs, "inventory_levels/update", payload)
    row = db.session.scalars(select(Location).where(Location.shopify_location_id == gid)).one()
    shop_row = demo_locations.find("awkward", demo_locations.SHOWROOM)
    assert (row.name, row.active, row.fulfills_online_orders) == (
        shop_row["name"], shop_row["active"], shop_row["fulfills_online_orders"],
    )  # fmt: skip
    assert differences(store, SHOP, integration_id) == []  # the location read brought every level back

    _deliver(store, client, run_jobs, "locations/delete", store.location_payload(shop_row))
    assert db.session.scalar(select(func.count()).where(Location.shopify_location_id == gid)) == 0


def test_an_incremental_sync_reads_the_levels_of_the_products_it_reads(db, store, integration_id, run_jobs):
    _synced(db, store, run_jobs, integration_id)
    # A product no order holds (the demo store titles line items by their product's current title), one of
    # whose variants is stocked at more than one location: a total alone would hide where the units moved.
    ordered = {line["productId"] for line in store.snapshot(SHOP)["lineItems"]}
    index, item, at = next(
        (i, v["inventory_item_id"], sorted(store.levels(SHOP, v["inventory_item_id"]))[-1])
        for i in range(12)
        if f"gid://shopify/Product/{store.product(SHOP, i)['id']}" not in ordered
        for v in store.product(SHOP, i)["variants"]
        if len(store.levels(SHOP, v["inventory_item_id"])) > 1
    )
    store.adjust_available(SHOP, item, 3, fire=False, location_id=at)
    store.touch_product(index, shop=SHOP)  # changed after the last sync: the incremental reads it
    _sync(db, run_jobs, integration_id, "incremental")
    assert differences(store, SHOP, integration_id) == []
