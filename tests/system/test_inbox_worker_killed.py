"""The batch-draining inbox under faults, with real `InlineAppWorker` processes (the Procfile's `webhooks`).

- A worker SIGKILLed in the middle of a claimed batch loses nothing: its rows stay `processing` until the
  claim timeout, the sweeper returns them to `pending` and wakes a worker, and every delivery ends processed
  (applied, or superseded by a newer one) exactly once: one log line per applied delivery, none for a
  superseded one, every product at its newest version.
- A poison delivery (a SKU longer than the column: the batch's set-based write fails in the database) fails
  alone in a batch of 500; the 499 others are applied.

The kill is placed mid-batch without sleeping on luck: the test holds a row lock on one product the batch
must update, waits until the worker has claimed its batch and is blocked on that lock, then kills it.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text, update

from app.models import Product, SyncLog, Webhook
from app.models.types import utcnow
from app.webhooks import jobs
from tests.system import deliveries as plan_
from tests.system.conftest import SHOP, wait_until

INLINE = "app.worker.InlineAppWorker"


def _encode(product: int, version: int, **changes) -> bytes:
    return json.dumps({**plan_.product_body(product, version), **changes}, separators=(",", ":")).encode()


def _post(app, client, planned) -> None:
    secret = app.config["SHOPIFY_API_SECRET"]
    for d in planned:
        assert (
            client.post("/api/webhooks/shopify", data=d.body, headers=d.headers(SHOP, secret)).status_code
            == 200
        )


def _statuses(db) -> dict[str, int]:
    db.session.rollback()
    return dict(db.session.execute(select(Webhook.status, func.count()).group_by(Webhook.status)).all())


@pytest.mark.timeout(300)
def test_worker_killed_mid_batch_loses_nothing_and_applies_each_delivery_once(
    app, db, client, workers, workspace
):
    from tests.webhooks.conftest import _integration

    integration = _integration(workspace, "shopify", SHOP)
    products = 300
    first, _ = plan_.plan(products=products, total=products, duplicate_share=0.0, seed=3)
    _post(app, client, first)  # every product exists at v1
    workers.wait(workers.start("webhooks", worker_class=INLINE), 120)
    assert _statuses(db) == {"processed": products}

    # The burst to kill: newer versions of each product (2..5), shuffled, with re-deliveries.
    second, versions = plan_.plan(products=products, total=products * 4, duplicate_share=0.1, seed=4)
    second = [
        plan_.Delivery(d.product, d.version + 1, f"burst-{d.webhook_id}", _encode(d.product, d.version + 1))
        for d in second
    ]
    newest = {i: v + 1 for i, v in versions.items()}
    unique_second = len({d.webhook_id for d in second})
    _post(app, client, second)

    # Hold a lock on one product: the worker's batch write blocks on it, after the claim has committed.
    locker = create_engine(db.engine.url).connect()
    tx = locker.begin()
    locker.execute(
        text("SELECT id FROM product WHERE shopify_product_id = :g FOR UPDATE"),
        {"g": plan_.product_gid(second[0].product)},
    )
    victim = workers.start("webhooks", burst=False, worker_class=INLINE)

    def blocked():
        with db.engine.connect() as conn:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )).scalar()  # fmt: skip
        return waiting and _statuses(db).get("processing")

    wait_until(blocked, 60, interval=0.1, what="the worker blocked mid-batch")
    claimed = _statuses(db)["processing"]
    assert 0 < claimed <= 500
    workers.kill(victim)
    tx.rollback()
    locker.close()
    assert _statuses(db).get("processing") == claimed  # nothing of the killed batch was committed

    # The claim timeout passes; the minute sweeper takes the rows back (the drain job the killed worker
    # queued for its next batch still waits, else the sweeper wakes one).
    long_ago = utcnow() - jobs.STUCK_AFTER - timedelta(minutes=1)
    db.session.execute(
        update(Webhook)
        .where(Webhook.status == "processing")
        .values(claimed_at=long_ago, received_at=long_ago)
    )
    db.session.commit()
    jobs.sweep_pending()
    assert "processing" not in _statuses(db)
    workers.wait(workers.start("webhooks", worker_class=INLINE), 180)

    assert _statuses(db) == {"processed": products + unique_second}
    rows = db.session.execute(
        select(Webhook.id, Webhook.superseded_by, Webhook.attempts).where(Webhook.delivery_id.like("burst-%"))
    ).all()
    assert len(rows) == unique_second
    assert {a for _, _, a in rows} <= {1, 2} and any(a == 2 for _, _, a in rows)  # the killed batch: twice
    lines = dict(
        db.session.execute(
            select(SyncLog.webhook_id, func.count())
            .where(SyncLog.webhook_id.is_not(None))
            .group_by(SyncLog.webhook_id)
        ).all()
    )
    applied = [i for i, by, _ in rows if by is None]
    superseded = [i for i, by, _ in rows if by is not None]
    assert superseded, "nothing coalesced: the test no longer exercises superseding"
    assert all(lines.get(i) == 1 for i in applied), "an applied delivery was written twice or not at all"
    assert not any(i in lines for i in superseded), "a superseded delivery was applied"
    titles = dict(
        db.session.execute(
            select(Product.shopify_product_id, Product.title).where(
                Product.workspace_id == integration.workspace_id
            )
        ).all()
    )
    stale = [i for i, v in newest.items() if titles[plan_.product_gid(i)] != plan_.title(i, v)]
    assert not stale, f"{len(stale)} products not at their newest version"


@pytest.mark.timeout(240)
def test_poison_delivery_fails_alone_in_a_batch_of_500(app, db, client, workers, workspace):
    from tests.webhooks.conftest import _integration

    _integration(workspace, "shopify", SHOP)
    planned, _ = plan_.plan(products=500, total=500, duplicate_share=0.0, seed=5)
    poison = planned[250]
    body = plan_.product_body(poison.product, poison.version)
    body["variants"][0]["sku"] = "X" * 300  # longer than the column: the database refuses the row
    raw = json.dumps(body, separators=(",", ":")).encode()
    planned[250] = plan_.Delivery(poison.product, poison.version, "poison", raw)
    _post(app, client, planned)
    workers.wait(workers.start("webhooks", worker_class=INLINE), 180)

    assert _statuses(db) == {"processed": 499, "failed": 1}
    row = db.session.scalars(select(Webhook).where(Webhook.status == "failed")).one()
    assert row.delivery_id == "poison" and "StringDataRightTruncation" in row.error
    assert db.session.scalar(select(func.count()).select_from(Product)) == 499
