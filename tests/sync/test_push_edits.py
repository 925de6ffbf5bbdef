"""Dashboard edits of Shopify products reach Shopify (the demo store, at the HTTP boundary) from an RQ job,
and what did not reach it is marked local and restored by a re-sync or a full sync."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from app.demo_store import catalog
from app.models import Integration, Product, SyncLog, User
from app.models.scoping import WorkspaceScope
from app.services import bulk_jobs, variant_edits
from app.services import products as service
from app.sync.mapping import parse_time
from app.sync.push_edits import push_product_edit
from app.sync.refresh import refresh_products
from tests.conftest import log_in
from tests.sync.conftest import SHOP, fixture_json
from tests.sync.test_paged_sync import inject, sync

HOOK = "https://app.example.com/webhooks/shopify"


@pytest.fixture
def imported(db, store, integration, run_jobs):
    """The demo shop synced in full; returns (workspace id, integration id)."""
    ids = integration.workspace_id, integration.id  # the worker ends the session: read ids first
    run = sync(db, ids[1], "full", run_jobs)
    assert run.status == "succeeded", run.error
    return ids


def _row(db, i: int) -> Product:
    db.session.expire_all()
    gid = catalog.gid("Product", catalog.product_id(i))
    return db.session.scalars(select(Product).where(Product.shopify_product_id == gid)).one()


def user_id(db) -> int:
    return db.session.scalars(select(User.id).order_by(User.id)).first()


def _shop_state(product: Product) -> dict:
    return (product.platform_sync or {}).get("shopify") or {}


def test_detail_edit_lands_in_the_demo_store_with_its_webhook(db, store, imported, run_jobs):
    store.subscribe(SHOP, "PRODUCTS_UPDATE", HOOK)
    delivered = []
    store.deliver = lambda url, body, headers: delivered.append(
        (headers["X-Shopify-Topic"], json.loads(body))
    )
    workspace_id, _ = imported
    product = _row(db, 0)
    service.update_product(WorkspaceScope(workspace_id), product,
                           {"title": "Renamed here", "status": "draft", "tags": "gift, eco"})  # fmt: skip
    pending = _row(db, 0)
    assert _shop_state(pending)["state"] == "saving" and pending.source_updated_at is None

    run_jobs()

    upstream = store.product(SHOP, 0)
    assert (upstream["title"], upstream["status"], upstream["tags"]) == (
        "Renamed here",
        "DRAFT",
        ["eco", "gift"],
    )
    assert [(t, body["title"]) for t, body in delivered] == [("products/update", "Renamed here")]
    saved = _row(db, 0)
    assert _shop_state(saved)["state"] == "saved" and "pending" not in _shop_state(saved)
    assert saved.source_updated_at == parse_time(upstream["updated_at"])
    assert saved.title == "Renamed here"
    assert push_product_edit(saved.id) == "nothing"  # safe to run twice: nothing more is sent


def test_next_sync_after_a_saved_edit_keeps_it(db, store, imported, run_jobs):
    workspace_id, integration_id = imported
    service.update_product(WorkspaceScope(workspace_id), _row(db, 1), {"title": "Kept"})
    run_jobs()
    run = sync(db, integration_id, "full", run_jobs)
    assert (
        run.status == "succeeded"
        and _row(db, 1).title == "Kept"
        and store.product(SHOP, 1)["title"] == "Kept"
    )


def test_per_variant_price_edit_lands_in_shopify(db, store, imported, run_jobs):
    product = _row(db, 2)
    first, second = sorted(product.variants, key=lambda v: v.position)[:2]
    changed = variant_edits.update_variants(product, {
        f"variant-{first.id}-price": "77.50", f"variant-{first.id}-compare_at_price": "99.00",
        f"variant-{second.id}-sku": "NEW-SKU-2", f"variant-{second.id}-price": str(second.price),
    })  # fmt: skip
    assert changed == 2
    run_jobs()
    upstream = store.product(SHOP, 2)["variants"]
    assert (upstream[0]["price"], upstream[0]["compare_at_price"]) == ("77.50", "99.00")
    assert upstream[1]["sku"] == "NEW-SKU-2"
    row = _row(db, 2)
    assert _shop_state(row)["state"] == "saved" and str(row.price_min) == str(
        min(v.price for v in row.variants)
    )


def test_bad_variant_values_save_nothing(db, store, imported):
    product = _row(db, 3)
    variant = product.variants[0]
    with pytest.raises(service.ProductValidationError) as caught:
        variant_edits.update_variants(
            product, {f"variant-{variant.id}-price": "-1", "variant-999999-sku": "x"}
        )
    assert set(caught.value.fields) == {f"variant-{variant.id}-price", "variant-999999-sku"}
    assert _shop_state(_row(db, 3)).get("state") is None


def _edit_then_fail(db, store, workspace_id, i, run_jobs):
    service.update_product(WorkspaceScope(workspace_id), _row(db, i), {"title": f"Local only {i}"})
    run_jobs()
    return _row(db, i)


def test_user_errors_leave_the_row_local_with_shopifys_message(db, store, imported, run_jobs):
    workspace_id, _ = imported
    store.delete_product(4, shop=SHOP, fire=False)  # gone upstream: productUpdate answers a userError
    row = _edit_then_fail(db, store, workspace_id, 4, run_jobs)
    state = _shop_state(row)
    assert state["state"] == "local" and "Product does not exist" in state["error"]
    assert row.title == "Local only 4"
    log = db.session.scalars(
        select(SyncLog).where(SyncLog.action == "push", SyncLog.entity_id == str(row.id))
    ).all()
    assert [(e.status, "Product does not exist" in e.error_message) for e in log] == [("error", True)]


def test_revoked_token_leaves_the_row_local(db, store, imported, run_jobs):
    workspace_id, integration_id = imported
    integration = db.session.get(Integration, integration_id)
    integration.set_secrets(access_token="shpat_revoked")
    db.session.commit()
    row = _edit_then_fail(db, store, workspace_id, 5, run_jobs)
    assert _shop_state(row)["state"] == "local" and "reconnect" in _shop_state(row)["error"].lower()
    assert store.product(SHOP, 5)["title"] != "Local only 5"


@pytest.fixture
def throttle(shopify):
    """Set `throttle["on"]` and every GraphQL call answers THROTTLED (installed before the first request)."""
    switch = {"on": False}
    throttled = fixture_json("shopify/throttled.json")
    inject(shopify, lambda n: (200, throttled) if switch["on"] else None)
    return switch


def test_throttled_shopify_leaves_the_row_local_and_the_job_retries(db, store, throttle, imported, run_jobs,
                                                                    no_sleep):  # fmt: skip
    workspace_id, _ = imported
    throttle["on"] = True
    row = _edit_then_fail(db, store, workspace_id, 6, run_jobs)
    assert _shop_state(row)["state"] == "local" and "slow down" in _shop_state(row)["error"]
    assert store.product(SHOP, 6)["title"] != "Local only 6"
    assert no_sleep  # the client waited for the bucket (recorded, not slept) before giving up


def test_local_only_edit_is_restored_by_full_sync(db, store, imported, run_jobs):
    workspace_id, integration_id = imported
    db.session.get(Integration, integration_id).status = "disconnected"  # the push cannot reach Shopify
    db.session.commit()
    row = _edit_then_fail(db, store, workspace_id, 7, run_jobs)
    assert _shop_state(row)["state"] == "local" and row.source_updated_at is None
    db.session.get(Integration, integration_id).status = "connected"
    db.session.commit()
    run = sync(db, integration_id, "full", run_jobs)
    assert run.status == "succeeded", run.error
    restored = _row(db, 7)
    assert restored.title == store.product(SHOP, 7)["title"] and _shop_state(restored)["synced"] is True
    assert "state" not in _shop_state(restored)


def test_local_only_edit_is_restored_by_resync_and_logged_as_update(db, store, imported, run_jobs):
    workspace_id, integration_id = imported
    db.session.get(Integration, integration_id).status = "disconnected"
    db.session.commit()
    row = _edit_then_fail(db, store, workspace_id, 8, run_jobs)
    db.session.get(Integration, integration_id).status = "connected"
    db.session.commit()
    done = refresh_products(workspace_id, [row.id])
    assert (done["updated"], done["unchanged"]) == (1, 0)
    assert _row(db, 8).title == store.product(SHOP, 8)["title"]
    assert refresh_products(workspace_id, [row.id])["unchanged"] == 1  # nothing left to change: said so


def test_locally_deleted_product_comes_back_on_bulk_resync(db, store, imported, run_jobs):
    workspace_id, _ = imported
    row = _row(db, 9)
    service.delete_product(row)
    scope = WorkspaceScope(workspace_id)
    progress = bulk_jobs.start_bulk(scope, "resync_shopify", [row.id])
    run_jobs()
    finished = bulk_jobs.get_progress(scope, progress["id"])
    assert finished["status"] == "done" and "1 restored" in finished["message"]
    back = _row(db, 9)
    assert back.deleted_at is None and back.title == store.product(SHOP, 9)["title"]
    actions = db.session.scalars(select(SyncLog.action).where(SyncLog.entity_id == str(back.id))).all()
    assert "restore" in actions and "skip" not in actions


def test_bulk_status_change_of_a_shopify_product_reaches_shopify(db, store, imported, run_jobs):
    workspace_id, _ = imported
    row = _row(db, 10)
    bulk_jobs.start_bulk(WorkspaceScope(workspace_id), "status", [row.id], "archived")
    run_jobs()
    assert store.product(SHOP, 10)["status"] == "ARCHIVED"
    assert _shop_state(_row(db, 10))["state"] == "saved"


def test_hidden_shopify_product_page_offers_resync_which_brings_it_back(app, db, store, imported, run_jobs):
    auth_client = app.test_client()
    log_in(auth_client, db.session.get(User, user_id(db)))
    html = auth_client.get("/products").get_data(as_text=True)  # the CSRF token htmx and forms send
    auth_client.environ_base["HTTP_X_CSRFTOKEN"] = re.search(r'name="csrf-token" content="([^"]+)"', html)[1]
    row = _row(db, 11)
    row_id = row.id
    service.delete_product(row)
    page = auth_client.get(f"/products/{row_id}").get_data(as_text=True)
    assert "Hidden here" in page and f"/products/{row_id}/resync" in page and "Save variants" not in page
    response = auth_client.post(f"/products/{row_id}/resync")
    assert response.status_code == 302 and "bulk=" in response.headers["Location"]
    run_jobs()
    assert _row(db, 11).deleted_at is None
