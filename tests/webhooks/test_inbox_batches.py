"""The inbox drained in batches: one wake-up instead of a job per delivery, coalescing per resource (the newest
applied, the others recorded as superseded by it), older never over newer across batches, and a delivery
that cannot be applied failing alone."""

from __future__ import annotations

import json

from rq import Queue
from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, Product, SyncLog, Webhook
from app.queues import get_redis
from app.webhooks import inbox, wake
from tests.system import deliveries as plan_
from tests.webhooks.conftest import fixture_json


def _post_versions(post_shopify, product: int, versions) -> dict[int, int]:
    """Post products/update versions of one product, in the given order; version -> webhook row id."""
    ids = {}
    for version in versions:
        body = plan_.product_body(product, version)
        assert post_shopify("products/update", body, webhook_id=f"p{product}-v{version}").status_code == 200
        ids[version] = db.session.scalar(
            select(Webhook.id).where(Webhook.delivery_id == f"p{product}-v{version}")
        )
    return ids


def _title(product: int) -> str | None:
    db.session.rollback()
    return db.session.scalar(
        select(Product.title).where(Product.shopify_product_id == plan_.product_gid(product))
    )


def _logged(webhook_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SyncLog).where(SyncLog.webhook_id == webhook_id)
    )


def test_deliveries_wake_one_drain_job_not_a_job_each(post_shopify, shopify_integration):
    _post_versions(post_shopify, 1, range(1, 21))
    assert Queue("webhooks", connection=get_redis()).count == 1
    assert wake.drain_queued()


def test_same_product_in_one_batch_is_written_once_at_its_newest(post_shopify, shopify_integration, run_jobs):
    ids = _post_versions(post_shopify, 1, [2, 3, 1])
    other = _post_versions(post_shopify, 2, [1])
    run_jobs(["webhooks"])
    assert _title(1) == plan_.title(1, 3)
    assert _title(2) == plan_.title(2, 1)
    rows = {w.id: w for w in db.session.scalars(select(Webhook))}
    assert {w.status for w in rows.values()} == {"processed"}
    assert {w.attempts for w in rows.values()} == {1}
    assert rows[ids[3]].superseded_by is None and rows[other[1]].superseded_by is None
    assert rows[ids[1]].superseded_by == ids[3] and rows[ids[2]].superseded_by == ids[3]
    # Each applied delivery's log line names it; the superseded ones wrote nothing.
    assert (_logged(ids[3]), _logged(other[1]), _logged(ids[1]), _logged(ids[2])) == (1, 1, 0, 0)


def test_older_version_in_a_later_batch_does_not_overwrite_the_newer(
    post_shopify, shopify_integration, run_jobs
):
    _post_versions(post_shopify, 1, [5])
    run_jobs(["webhooks"])
    late = _post_versions(post_shopify, 1, [4])
    run_jobs(["webhooks"])
    assert _title(1) == plan_.title(1, 5)
    row = db.session.get(Webhook, late[4])
    assert (row.status, row.superseded_by) == ("processed", None)
    action = db.session.scalar(select(SyncLog.action).where(SyncLog.webhook_id == late[4]))
    assert action == "skip"


def test_bounded_batches_drain_everything_oldest_first(post_shopify, shopify_integration):
    for product in range(5):
        _post_versions(post_shopify, product, [1])
    outcomes = inbox.drain_inbox(batch_size=2)
    assert outcomes == {"processed": 5, "superseded": 0, "failed": 0}
    assert db.session.scalar(select(func.count()).select_from(Product)) == 5
    assert inbox.claim() == []


def test_a_delivery_that_does_not_map_fails_alone_in_its_batch(post_shopify, shopify_integration, run_jobs):
    for product in range(10):
        _post_versions(post_shopify, product, [1])
    broken = plan_.product_body(99, 1)
    del broken["id"], broken["admin_graphql_api_id"]  # no product id: nothing to write it to
    assert post_shopify("products/update", broken, webhook_id="broken").status_code == 200
    run_jobs(["webhooks"])
    statuses = dict(db.session.execute(select(Webhook.delivery_id, Webhook.status)).all())
    assert statuses.pop("broken") == "failed"
    assert set(statuses.values()) == {"processed"}
    assert db.session.scalar(select(func.count()).select_from(Product)) == 10
    error = db.session.scalar(select(Webhook.error).where(Webhook.delivery_id == "broken"))
    assert error.startswith("KeyError")


def test_orders_in_one_batch_coalesce_and_cancellations_still_run_their_handler(
    post_shopify, shopify_integration, run_jobs
):
    body = fixture_json("shopify/orders_create.json")
    older = {**body, "updated_at": "2026-10-01T10:00:00-00:00", "total_price": "1.00"}
    newer = {**body, "updated_at": "2026-10-01T11:00:00-00:00", "total_price": "2.00"}
    post_shopify("orders/updated", json.dumps(newer).encode(), webhook_id="o-new")
    post_shopify("orders/updated", json.dumps(older).encode(), webhook_id="o-old")
    run_jobs(["webhooks"])
    order = db.session.scalars(select(Order)).one()
    assert str(order.total_price) == "2.00"
    rows = {w.delivery_id: w for w in db.session.scalars(select(Webhook))}
    assert rows["o-old"].superseded_by == rows["o-new"].id
    assert rows["o-new"].status == rows["o-old"].status == "processed"


def test_stock_levels_of_one_item_coalesce_to_the_newest(post_shopify, shopify_integration, run_jobs):
    body = fixture_json("shopify/inventory_levels_update.json")
    newer = {**body, "available": 7, "updated_at": "2026-10-01T11:00:00-00:00"}
    older = {**body, "available": 3, "updated_at": "2026-10-01T10:00:00-00:00"}
    odd = {**body, "inventory_item_id": [1, 2], "updated_at": "2026-10-01T10:30:00-00:00"}  # not an id
    for name, b in (("s-new", newer), ("s-old", older), ("s-odd", odd)):
        assert (
            post_shopify("inventory_levels/update", json.dumps(b).encode(), webhook_id=name).status_code
            == 200
        )
    run_jobs(["webhooks"])
    rows = {w.delivery_id: w for w in db.session.scalars(select(Webhook))}
    assert rows["s-old"].superseded_by == rows["s-new"].id and rows["s-new"].superseded_by is None
    assert rows["s-odd"].superseded_by is None  # another key: handled on its own
    assert rows["s-new"].status == rows["s-old"].status == "processed"
    assert rows["s-odd"].status == "processed"  # no variant has that item: logged as skipped, not a crash
