"""A whole-shop bulk sync runs its exports (products, variants' images, locations with stock, orders) as
concurrent bulk operations against the demo store, which enforces Shopify's five at once: a refused export
waits and is started when one finishes, and whatever the order the rows are those of the paged path."""

from __future__ import annotations

import re

from app.models import Integration, SyncLog, SyncRun
from app.platforms.shopify import bulk_queries
from app.sync import service
from tests.sync.bulk_rows import differences, workspace_rows
from tests.sync.conftest import SHOP
from tests.sync.test_bulk_tokens_push import reload, shop_integration


def _root(query: str) -> str:
    return re.search(r"\{\s*(\w+)", query).group(1)


def _paged_rows(db, make_user, run_jobs) -> dict:
    """The same shop synced by pages (a full sync, then an orders sync) in a workspace of its own."""
    ws = make_user("paged@example.com").workspace_id
    iid = shop_integration(db, ws).id
    for kind in ("full", "orders"):
        run_id = service.start_sync(reload(db, Integration, iid), kind).id
        run_jobs()
        assert reload(db, SyncRun, run_id).status == "succeeded"
    return workspace_rows(ws)


def _continue(db, integration_id: int, export: str, run_jobs) -> None:
    cursor = reload(db, Integration, integration_id).sync_cursor
    assert service.continue_bulk(reload(db, Integration, integration_id), cursor["exports"][export]["id"])
    run_jobs()


def test_products_orders_and_stock_are_exported_at_once_and_land_as_the_paged_rows(
    db, store, integration, make_user, run_jobs
):
    store.seed_shop(SHOP, catalog="awkward")
    store.bulk_mode = "manual"  # the exports stay out at Shopify until the test runs them
    iid, ws = integration.id, integration.workspace_id
    run_id = service.start_sync(integration, "bulk").id
    run_jobs()
    out = store.bulk_rows(SHOP)
    assert sorted(_root(o["query"]) for o in out) == ["locations", "orders", "productVariants", "products"]
    assert {o["status"] for o in out} == {"CREATED"}  # four at once, as Shopify allows since 2026-01
    assert reload(db, SyncRun, run_id).status == "in_progress"

    store.run_pending_bulk()
    _continue(db, iid, "products", run_jobs)
    run = reload(db, SyncRun, run_id)
    assert run.status == "succeeded", run.error
    done = store.bulk_rows(SHOP)
    assert max(o["created_at"] for o in done) <= min(o["completed_at"] for o in done)  # they overlapped
    assert run.created == run.processed == len(store.snapshot(SHOP)["products"]) > 0
    assert reload(db, Integration, iid).sync_cursor is None
    assert reload(db, Integration, iid).config.get("orders_synced_at")  # the next orders run is incremental
    logged = {(e.entity_type, e.action) for e in db.session.query(SyncLog).filter_by(sync_run_id=run_id)}
    assert ("product", "create") in logged and ("order", "create") in logged

    bulk_rows = workspace_rows(ws)
    assert len(bulk_rows["order_items"]) >= 500 and len(bulk_rows["location"]) == 4
    assert any("gid://shopify/MediaImage" in repr(row) for row in bulk_rows["product_variant"])
    assert differences(_paged_rows(db, make_user, run_jobs), bulk_rows) == []


def test_an_export_refused_at_the_limit_is_started_when_one_finishes(
    db, store, integration, make_user, run_jobs
):
    store.bulk_mode = "manual"
    for _ in range(3):  # another app's exports hold three of the shop's five slots
        row, errors = store.create_bulk(SHOP, bulk_queries.BULK_LOCATIONS_INNER_QUERY)
        assert row is not None and errors == []
    iid, ws = integration.id, integration.workspace_id
    run_id = service.start_sync(integration, "bulk").id
    run_jobs()
    exports = reload(db, Integration, iid).sync_cursor["exports"]
    assert [exports[k]["status"] for k in ("products", "variant_media", "locations", "orders")] == [
        "running", "running", "queued", "queued"
    ]  # fmt: skip
    assert exports["locations"]["refused"] == 1
    assert reload(db, SyncRun, run_id).status == "in_progress"  # refused, not failed

    store.run_pending_bulk()  # all five finish: two slots of ours free, three more
    _continue(db, iid, "products", run_jobs)
    exports = reload(db, Integration, iid).sync_cursor["exports"]
    assert exports["products"]["status"] == "imported"
    assert exports["locations"]["status"] == exports["orders"]["status"] == "running"
    store.run_pending_bulk()
    _continue(db, iid, "orders", run_jobs)
    run = reload(db, SyncRun, run_id)
    assert (run.status, run.created) == ("succeeded", 120)
    assert len(store.bulk_rows(SHOP)) == 7  # four of ours and three of theirs: nothing started twice
    assert differences(_paged_rows(db, make_user, run_jobs), workspace_rows(ws)) == []


def test_one_export_at_a_time_gives_the_same_rows_as_concurrent_exports(
    app, db, store, integration, make_user, run_jobs, monkeypatch
):
    concurrent_ws = integration.workspace_id
    assert service.start_sync(integration, "bulk")
    run_jobs()
    concurrent = store.bulk_rows(SHOP)
    monkeypatch.setitem(app.config, "SYNC_BULK_CONCURRENCY", 1)
    sequential_ws = make_user("one@example.com").workspace_id
    run_id = service.start_sync(shop_integration(db, sequential_ws), "bulk").id
    run_jobs()
    assert reload(db, SyncRun, run_id).status == "succeeded"
    ones = sorted(store.bulk_rows(SHOP), key=lambda o: o["id"])[len(concurrent) :]
    assert len(ones) == 4
    assert all(b["created_at"] >= a["completed_at"] for a, b in zip(ones, ones[1:], strict=False))
    assert differences(workspace_rows(concurrent_ws), workspace_rows(sequential_ws)) == []
