"""Webhook intake and processing under faults, through the real intake route and real worker processes.

- Redis unreachable while deliveries arrive: every one is stored and answered 200; once Redis is back the
  sweeper enqueues them and a worker processes every one.
- 2,000 shuffled deliveries with re-deliveries for 200 products, processed by two worker processes at once:
  every product ends at its newest version, nothing is lost, every re-delivery is stored once.
"""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app import queues
from app.models import Product, ProductVariant, Webhook
from app.models.types import utcnow
from app.webhooks import jobs
from tests.system import deliveries as plan_
from tests.system.conftest import SHOP


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post_all(app, client, planned) -> list:
    secret = app.config["SHOPIFY_API_SECRET"]
    return [
        client.post("/api/webhooks/shopify", data=d.body, headers=d.headers(SHOP, secret)) for d in planned
    ]


def _products(db, workspace_id) -> dict[str, Product]:
    db.session.rollback()
    rows = db.session.scalars(select(Product).where(Product.workspace_id == workspace_id)).all()
    return {p.shopify_product_id: p for p in rows}


def _assert_newest(db, workspace_id, newest: dict[int, int]) -> None:
    products = _products(db, workspace_id)
    assert len(products) == len(newest)
    wrong = {i: products[plan_.product_gid(i)].title for i, v in newest.items()
             if products[plan_.product_gid(i)].title != plan_.title(i, v)}  # fmt: skip
    assert not wrong, f"{len(wrong)} products not at their newest version, e.g. {list(wrong.items())[:3]}"
    variants = db.session.execute(
        select(ProductVariant.product_id, ProductVariant.sku, ProductVariant.price).where(
            ProductVariant.workspace_id == workspace_id
        )  # fmt: skip
    ).all()
    assert len(variants) == 2 * len(newest)  # no duplicated variants
    by_id = {p.id: i for i, p in ((i, products[plan_.product_gid(i)]) for i in newest)}
    for product_id, sku, price in variants:
        i = by_id[product_id]
        offset = 0 if sku.endswith("Small") else 1
        assert price == plan_.price(i, newest[i]) + offset, (i, sku, price)


@pytest.mark.timeout(120)
def test_deliveries_while_redis_is_down_are_stored_then_swept_and_processed(
    app, db, client, workers, workspace, monkeypatch
):
    from tests.webhooks.conftest import _integration

    integration = _integration(workspace, "shopify", SHOP)
    planned, newest = plan_.plan(products=30, total=60, duplicate_share=0.0, seed=7)

    # Redis goes away: the app's connection now points at a port nobody listens on.
    redis_up = app.extensions["redis"]
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    queues.init_app(app)
    try:
        answers = _post_all(app, client, planned)
    finally:
        app.extensions["redis"] = redis_up  # Redis is back
    assert [a.status_code for a in answers] == [200] * len(planned)
    assert {a.get_json()["status"] for a in answers} == {"stored"}
    db.session.rollback()
    assert db.session.scalar(select(func.count(Webhook.id)).where(Webhook.status == "pending")) == len(
        planned
    )

    assert jobs.sweep_pending() == 0  # younger than a minute: the sweeper leaves them for now
    db.session.execute(update(Webhook).values(received_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    assert jobs.sweep_pending() == len(planned)
    assert jobs.sweep_pending() == 0  # queued now: not enqueued twice

    workers.wait(workers.start("webhooks"), 90)
    db.session.rollback()
    statuses = dict(db.session.execute(select(Webhook.status, func.count()).group_by(Webhook.status)).all())
    assert statuses == {"processed": len(planned)}
    _assert_newest(db, integration.workspace_id, newest)


@pytest.mark.timeout(420)
def test_shuffled_duplicated_deliveries_end_at_the_newest_version(app, db, client, workers, workspace):
    from tests.webhooks.conftest import _integration

    integration = _integration(workspace, "shopify", SHOP)
    planned, newest = plan_.plan(products=200, total=2000, duplicate_share=0.1, seed=11)
    unique = len({d.webhook_id for d in planned})

    # Four workers drain the queue while deliveries still arrive, so versions of one product race. The
    # Procfile's `webhooks` process: jobs run in the worker process, no fork per delivery.
    pool = [
        workers.start("webhooks", burst=False, worker_class="app.worker.InlineAppWorker") for _ in range(4)
    ]
    started = time.monotonic()
    answers = _post_all(app, client, planned)
    assert all(a.status_code == 200 for a in answers)
    outcomes = [a.get_json()["status"] for a in answers]
    assert outcomes.count("duplicate") == len(planned) - unique
    assert outcomes.count("accepted") == unique

    def settled():
        db.session.rollback()
        return not db.session.scalar(
            select(func.count(Webhook.id)).where(Webhook.status.in_(("pending", "processing")))
        )

    from tests.system.conftest import wait_until

    wait_until(settled, 360, interval=0.5, what="every delivery processed")
    print(f"2,000 deliveries posted and processed in {time.monotonic() - started:.1f}s")
    for proc in pool:
        workers.kill(proc)
    statuses = dict(db.session.execute(select(Webhook.status, func.count()).group_by(Webhook.status)).all())
    errors = db.session.scalars(select(Webhook.error).where(Webhook.status == "failed").limit(3)).all()
    assert statuses == {"processed": unique}, [e[:600] for e in errors]
    assert db.session.scalar(select(func.count(func.distinct(Webhook.delivery_id)))) == unique
    _assert_newest(db, integration.workspace_id, newest)
