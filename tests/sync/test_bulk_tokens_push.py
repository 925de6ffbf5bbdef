"""The bulk JSONL path (same rows as paged; continued by webhook or by polling), a token expiring in the
middle of a paged sync (one refresh), and the Facebook catalog push after a sync."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.models import Integration, Product, ProductVariant, SyncRun
from app.sync import service
from tests.sync.conftest import SHOP, fixture_json

PRODUCT_FIELDS = ("shopify_product_id", "title", "handle", "description_html", "vendor", "product_type", "status",
                  "tags", "price_min", "price_max", "currency", "source_updated_at")  # fmt: skip
VARIANT_FIELDS = ("shopify_variant_id", "sku", "title", "position", "price", "compare_at_price",
                  "inventory_quantity", "inventory_item_id")  # fmt: skip


def reload(db, model, id_):
    return db.session.get(model, id_, populate_existing=True)


def rows(db, workspace_id):
    products = db.session.scalars(select(Product).where(Product.workspace_id == workspace_id)).all()
    variants = db.session.scalars(
        select(ProductVariant).where(ProductVariant.workspace_id == workspace_id)
    ).all()
    return (
        sorted(tuple(getattr(p, f) for f in PRODUCT_FIELDS) + (json.dumps(p.images),) for p in products),
        sorted(
            tuple(getattr(v, f) for f in VARIANT_FIELDS) + (json.dumps(v.option_values),) for v in variants
        ),
    )


def shop_integration(db, workspace_id, **kw):
    row = Integration(workspace_id=workspace_id, platform="shopify", account_id=SHOP, status="connected",
                      config={"currency": "USD"}, **kw)  # fmt: skip
    row.set_secrets(access_token="shpat_sync_test_token")
    db.session.add(row)
    db.session.commit()
    return row


def test_bulk_jsonl_path_gives_the_same_rows_as_the_paged_path(db, integration, make_user, run_jobs):
    paged_ws = integration.workspace_id
    bulk_ws = make_user("bulk@example.com").workspace_id
    paged_run = service.start_sync(integration, "full").id
    bulk_run = service.start_sync(shop_integration(db, bulk_ws), "bulk").id
    run_jobs()
    assert reload(db, SyncRun, paged_run).status == reload(db, SyncRun, bulk_run).status == "succeeded"
    bulk = reload(db, SyncRun, bulk_run)
    assert (bulk.total, bulk.created) == (120, 120)
    paged_rows, bulk_rows = rows(db, paged_ws), rows(db, bulk_ws)
    assert len(paged_rows[0]) == 120 and len(paged_rows[1]) == 360
    assert paged_rows == bulk_rows


def test_large_catalog_switches_to_bulk_automatically(app, db, integration, run_jobs, monkeypatch, shopify):
    monkeypatch.setitem(app.config, "SYNC_BULK_THRESHOLD", 100)
    run_id = service.start_sync(integration, "full").id
    run_jobs()
    assert reload(db, SyncRun, run_id).created == 120
    assert any("bulkOperationRunQuery" in (c.request.body or b"").decode() for c in shopify.calls)


def test_waiting_bulk_run_continues_on_finish_webhook(db, store, integration, run_jobs):
    store.bulk_mode = "manual"
    iid = integration.id
    run_id = service.start_sync(integration, "bulk").id
    run_jobs()
    cursor = reload(db, Integration, iid).sync_cursor
    assert reload(db, SyncRun, run_id).status == "in_progress" and cursor["phase"] == "waiting"
    exports = cursor["exports"]
    assert {e["status"] for e in exports.values()} == {"running"}  # all four out at Shopify at once
    assert service.continue_bulk(reload(db, Integration, iid), "gid://shopify/BulkOperation/1") is None
    store.run_pending_bulk()
    assert service.continue_bulk(reload(db, Integration, iid), exports["orders"]["id"]).id == run_id
    run_jobs()
    run = reload(db, SyncRun, run_id)
    assert (run.status, run.created) == ("succeeded", 120)
    assert reload(db, Integration, iid).sync_cursor is None


def test_waiting_bulk_run_is_polled_when_no_webhook_comes(db, store, integration, run_jobs, monkeypatch):
    from datetime import timedelta

    store.bulk_mode = "manual"
    run_id = service.start_sync(integration, "bulk").id
    run_jobs()
    monkeypatch.setattr(service, "BULK_POLL_EVERY", timedelta(0))
    assert service.sweep_sync_runs() == 1
    run_jobs()  # still running at Shopify: the job looks once and leaves
    assert reload(db, SyncRun, run_id).status == "in_progress"
    store.run_pending_bulk()
    service.sweep_sync_runs()
    run_jobs()
    assert reload(db, SyncRun, run_id).status == "succeeded"


def test_token_expiring_mid_sync_is_refreshed_exactly_once(db, store, store_clock, workspace, shopify, run_jobs,
                                                           after_page_commit):  # fmt: skip
    from app.models.types import utcnow

    with store.db.transaction() as conn:
        tokens = store._issue(conn, SHOP, "read_products", expiring=True)  # noqa: SLF001 - test set-up
    row = Integration(workspace_id=workspace.id, platform="shopify", account_id=SHOP, status="connected",
                      config={"currency": "USD"}, token_expires_at=utcnow().replace(microsecond=0) + __import__(
                          "datetime").timedelta(seconds=tokens["expires_in"]))  # fmt: skip
    row.set_secrets(access_token=tokens["access_token"], refresh_token=tokens["refresh_token"])
    db.session.add(row)
    db.session.commit()
    iid = row.id

    def expire(ctx, page):
        if page == 2:
            store_clock.offset += tokens["expires_in"] + 1  # Shopify's clock passes the expiry

    after_page_commit(expire)
    run_id = service.start_sync(row, "full").id
    run_jobs()
    run = reload(db, SyncRun, run_id)
    assert (run.status, run.created) == ("succeeded", 120), run.error
    refreshes = [c for c in shopify.calls if c.request.url.endswith("/admin/oauth/access_token")]
    assert len(refreshes) == 1
    integration = reload(db, Integration, iid)
    assert integration.secret("access_token") != tokens["access_token"]
    assert integration.secret("refresh_token") != tokens["refresh_token"]


def test_changed_products_are_pushed_to_the_facebook_catalog(db, integration, shopify, run_jobs):
    facebook = Integration(workspace_id=integration.workspace_id, platform="facebook", account_id="page-1",
                           status="connected", config={"catalog_id": "cat-1"})  # fmt: skip
    facebook.set_secrets(access_token="meta-token")
    db.session.add(facebook)
    db.session.commit()
    shopify.add(
        "POST",
        "https://graph.facebook.com/v25.0/cat-1/items_batch",
        json=fixture_json("meta/items_batch.json"),
    )
    service.start_sync(integration, "full")
    run_jobs()
    pushes = [c for c in shopify.calls if "items_batch" in c.request.url]
    assert len(pushes) == 1
    sent = json.loads(pushes[0].request.body)["requests"]
    assert len(sent) == 360 and sent[0]["data"]["price"].endswith(" USD")
    states = {p.platform_sync["facebook"]["status"] for p in db.session.scalars(select(Product))}
    assert states == {"pushed"}
    handle = db.session.scalars(select(Product)).first().platform_sync["facebook"]["handle"]
    assert handle == fixture_json("meta/items_batch.json")["handles"][0]
