"""Every Shopify topic through intake and a real burst worker, with payloads shaped like Shopify's samples."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Integration,
    Order,
    OrderItem,
    Product,
    ProductVariant,
    Reservation,
    SyncLog,
    SyncRun,
    Webhook,
)
from app.models.types import utcnow
from app.queues import get_queue
from app.sync.mapping import parse_time
from tests.webhooks.conftest import fixture_json

PRODUCT_GID = "gid://shopify/Product/788032119674292922"
SMALL_GID = "gid://shopify/ProductVariant/642667041472713922"


def product() -> Product | None:
    return db.session.scalars(select(Product).where(Product.shopify_product_id == PRODUCT_GID)).first()


def statuses() -> list[str]:
    return list(db.session.scalars(select(Webhook.status).order_by(Webhook.id)))


def test_products_create_then_update(post_shopify, shopify_integration, run_jobs):
    post_shopify("products/create", fixture_json("shopify/products_create.json"))
    run_jobs()
    created = product()
    assert created.title == "Example T-Shirt"
    assert [v.sku for v in created.variants] == ["EX-TS-S", "EX-TS-M"]
    assert created.variants[0].inventory_item_id == "gid://shopify/InventoryItem/1070325001"
    post_shopify("products/update", fixture_json("shopify/products_update.json"))
    run_jobs()
    db.session.expire_all()
    updated = product()
    assert updated.title == "Example T-Shirt (new season)"
    assert str(updated.variants[0].price) == "21.99"
    assert updated.source_updated_at == parse_time("2026-03-05T09:30:00-05:00")
    assert statuses() == ["processed", "processed"]
    actions = db.session.scalars(
        select(SyncLog.action).where(SyncLog.entity_type == "product").order_by(SyncLog.id)
    )
    assert list(actions) == ["create", "update"]


def test_older_update_after_newer_is_ignored(post_shopify, shopify_integration, run_jobs):
    post_shopify("products/update", fixture_json("shopify/products_update.json"))
    run_jobs()
    post_shopify("products/create", fixture_json("shopify/products_create.json"))  # older, arrives late
    run_jobs()
    assert product().title == "Example T-Shirt (new season)"
    assert statuses() == ["processed", "processed"]
    assert db.session.scalars(select(SyncLog.action).order_by(SyncLog.id.desc())).first() == "skip"


def test_future_triggered_at_does_not_freeze_the_product(post_shopify, shopify_integration, run_jobs):
    post_shopify("products/create", fixture_json("shopify/products_create.json"))
    run_jobs()
    undated = fixture_json("shopify/products_update.json")
    del undated["updated_at"]  # so the header is the only time the delivery carries
    before = utcnow()
    post_shopify("products/update", undated, triggered_at="2099-01-01T00:00:00.000Z")
    run_jobs()
    db.session.expire_all()
    assert product().title == "Example T-Shirt (new season)"
    assert before <= product().source_updated_at <= utcnow()  # bounded by when it arrived

    later = fixture_json("shopify/products_update.json")
    later.update(title="Example T-Shirt (winter)", updated_at=utcnow().isoformat())
    post_shopify("products/update", later)
    run_jobs()
    db.session.expire_all()
    assert product().title == "Example T-Shirt (winter)"
    assert statuses() == ["processed"] * 3


def test_delete_then_late_update_does_not_resurrect(post_shopify, shopify_integration, run_jobs):
    post_shopify("products/create", fixture_json("shopify/products_create.json"))
    run_jobs()
    post_shopify("products/delete", fixture_json("shopify/products_delete.json"),
                 triggered_at="2026-03-06T00:00:00.000Z")  # fmt: skip
    run_jobs()
    deleted = product()
    assert deleted.deleted_at == parse_time("2026-03-06T00:00:00Z")
    post_shopify("products/update", fixture_json("shopify/products_update.json"))  # updated before the delete
    run_jobs()
    db.session.expire_all()
    assert product().deleted_at is not None
    assert product().title == "Example T-Shirt"
    assert statuses() == ["processed"] * 3


def test_delete_before_create_leaves_a_tombstone(post_shopify, shopify_integration, run_jobs):
    post_shopify("products/delete", fixture_json("shopify/products_delete.json"),
                 triggered_at="2026-03-06T00:00:00.000Z")  # fmt: skip
    run_jobs()
    post_shopify("products/create", fixture_json("shopify/products_create.json"))
    run_jobs()
    assert product().deleted_at is not None
    assert db.session.scalars(select(ProductVariant)).all() == []


def _seed_product(post_shopify, run_jobs):
    post_shopify("products/create", fixture_json("shopify/products_create.json"))
    run_jobs()


def test_orders_create_updated_cancelled_release_reservations(post_shopify, shopify_integration, run_jobs):
    from app.inventory import reserve

    _seed_product(post_shopify, run_jobs)
    post_shopify("orders/create", fixture_json("shopify/orders_create.json"))
    run_jobs()
    order = db.session.scalars(select(Order)).one()
    assert (order.status, order.number, order.customer_email) == ("open", "#9999", "jon@example.com")
    item = db.session.scalars(select(OrderItem)).one()
    small = db.session.scalars(
        select(ProductVariant).where(ProductVariant.shopify_variant_id == SMALL_GID)
    ).one()
    assert (item.variant_id, item.quantity) == (small.id, 2)
    reservation_id = reserve(shopify_integration.workspace_id, small.id, 2, order_id=order.id).id

    post_shopify("orders/updated", fixture_json("shopify/orders_updated.json"))
    run_jobs()
    assert db.session.get(Reservation, reservation_id).status == "active"
    post_shopify("orders/cancelled", fixture_json("shopify/orders_cancelled.json"))
    run_jobs()
    db.session.expire_all()
    order = db.session.scalars(select(Order)).one()
    assert order.status == "cancelled" and order.cancelled_at is not None
    assert db.session.get(Reservation, reservation_id).status == "released"
    assert statuses() == ["processed"] * 4


def test_inventory_levels_update_sets_stock_by_inventory_item(post_shopify, shopify_integration, run_jobs):
    _seed_product(post_shopify, run_jobs)
    post_shopify("inventory_levels/update", fixture_json("shopify/inventory_levels_update.json"))
    run_jobs()
    small = db.session.scalars(
        select(ProductVariant).where(ProductVariant.shopify_variant_id == SMALL_GID)
    ).one()
    assert small.inventory_quantity == 42
    log = db.session.scalars(select(SyncLog).where(SyncLog.entity_type == "inventory")).one()
    assert (log.entity_id, log.action) == (str(small.id), "update")


def test_older_inventory_level_delivered_late_does_not_overwrite_newer(
    post_shopify, shopify_integration, run_jobs
):
    _seed_product(post_shopify, run_jobs)
    newer = fixture_json("shopify/inventory_levels_update.json")  # 42 at 08:00 -05:00
    older = {**newer, "available": 7, "updated_at": "2026-03-07T07:59:00-05:00"}
    post_shopify("inventory_levels/update", newer)
    run_jobs()
    post_shopify("inventory_levels/update", older)  # sent first by Shopify, delivered last
    run_jobs()
    db.session.expire_all()
    small = db.session.scalars(
        select(ProductVariant).where(ProductVariant.shopify_variant_id == SMALL_GID)
    ).one()
    small_id = small.id
    assert (small.inventory_quantity, small.inventory_updated_at) == (42, parse_time(newer["updated_at"]))
    skipped = db.session.scalars(
        select(SyncLog).where(SyncLog.entity_type == "inventory", SyncLog.action == "skip")
    ).one()
    assert skipped.entity_id == str(small_id) and "older than the stored one" in skipped.error_message
    assert statuses()[-2:] == ["processed", "processed"]
    post_shopify("inventory_levels/update", {**newer, "available": 40, "updated_at": "2026-03-07T13:05:00Z"})
    run_jobs()
    db.session.expire_all()
    assert db.session.get(ProductVariant, small_id).inventory_quantity == 40  # a newer level still lands


def test_app_uninstalled_disconnects(post_shopify, shopify_integration, run_jobs):
    post_shopify("app/uninstalled", fixture_json("shopify/app_uninstalled.json"))
    run_jobs()
    integration = db.session.get(Integration, shopify_integration.id)
    assert integration.status == "needs_reauth"
    assert integration.secret("access_token") is None
    assert statuses() == ["processed"]


def _waiting_bulk_run(integration, operation: str) -> int:
    """A run whose bulk export is out at Shopify, as the sync leaves it while it waits."""
    run = SyncRun(workspace_id=integration.workspace_id, integration_id=integration.id, kind="bulk",
                  status="in_progress")  # fmt: skip
    db.session.add(run)
    db.session.flush()
    row = db.session.get(Integration, integration.id)
    row.sync_cursor = {"phase": "waiting", "bulk_operation_id": operation, "run_id": run.id}
    db.session.commit()
    return run.id


def _sync_jobs() -> list[tuple[str, tuple]]:
    return [(job.func_name, job.args) for job in get_queue("sync").get_jobs()]


def test_bulk_operations_finish_continues_the_waiting_sync(post_shopify, shopify_integration, run_jobs):
    run_id = _waiting_bulk_run(shopify_integration, "gid://shopify/BulkOperation/7000001")
    post_shopify("bulk_operations/finish", fixture_json("shopify/bulk_operations_finish.json"))
    run_jobs(["webhooks"])
    assert statuses() == ["processed"]
    assert _sync_jobs() == [("app.sync.jobs.sync_integration", (shopify_integration.id, run_id))]
    logged = db.session.scalar(select(SyncLog).where(SyncLog.entity_type == "bulk_operation"))
    assert (logged.entity_id, logged.action) == ("gid://shopify/BulkOperation/7000001", "update")


def test_bulk_operations_finish_of_an_export_we_did_not_start_queues_nothing(
    post_shopify, shopify_integration, run_jobs
):
    _waiting_bulk_run(shopify_integration, "gid://shopify/BulkOperation/1")
    post_shopify("bulk_operations/finish", fixture_json("shopify/bulk_operations_finish.json"))
    run_jobs(["webhooks"])
    assert statuses() == ["processed"]
    assert _sync_jobs() == []


def test_unknown_topic_is_processed_as_a_skip(post_shopify, shopify_integration, run_jobs):
    post_shopify("carts/update", json.dumps({"id": 1}).encode())
    run_jobs()
    assert statuses() == ["processed"]
    assert db.session.scalar(select(SyncLog.action)) == "skip"
