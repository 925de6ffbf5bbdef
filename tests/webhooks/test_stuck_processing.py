"""A worker that dies mid-job leaves its delivery `processing`: the minute sweeper takes it back after
STUCK_AFTER, re-enqueues it while it has had fewer than MAX_ATTEMPTS claims, and fails it after that."""

from __future__ import annotations

from datetime import timedelta

from rq.job import Job, JobStatus
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Product, Webhook
from app.models.types import utcnow
from app.queues import get_queue, get_redis
from app.webhooks import inbox, wake
from app.webhooks.jobs import MAX_ATTEMPTS, STUCK_AFTER, sweep_pending
from tests.webhooks.conftest import fixture_bytes


def _die_mid_job(webhook_id: int, claimed_ago: timedelta) -> None:
    """What a SIGKILLed worker leaves behind: the row claimed, the drain job that woke it taken off the queue,
    "started", its wake-up mark cleared (a drain job clears it first thing)."""
    job = Job.fetch(get_redis().get(wake.WAKE_KEY).decode(), connection=get_redis())
    get_queue("webhooks").remove(job)
    job.set_status(JobStatus.STARTED)
    get_redis().delete(wake.WAKE_KEY)
    db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(status="processing", attempts=Webhook.attempts + 1, claimed_at=utcnow() - claimed_ago,
                received_at=utcnow() - claimed_ago - timedelta(seconds=5))
    )  # fmt: skip
    db.session.commit()


def _stored_delivery(post_shopify) -> int:
    assert post_shopify("products/create", fixture_bytes("shopify/products_create.json")).status_code == 200
    return db.session.scalar(select(Webhook.id))


def _row(webhook_id: int) -> Webhook:
    db.session.expire_all()
    return db.session.get(Webhook, webhook_id)


def test_delivery_whose_worker_died_is_recovered_and_processed(post_shopify, shopify_integration, run_jobs):
    webhook_id = _stored_delivery(post_shopify)
    _die_mid_job(webhook_id, STUCK_AFTER + timedelta(minutes=1))
    run_jobs()  # nothing left in the queue: without the sweeper the row would stay `processing` forever
    assert _row(webhook_id).status == "processing"

    assert sweep_pending() == 1
    row = _row(webhook_id)
    assert (row.status, row.attempts, row.error) == ("pending", 1, None)
    assert sweep_pending() == 0  # queued now: not twice
    run_jobs()
    row = _row(webhook_id)
    assert (row.status, row.attempts) == ("processed", 2)
    assert db.session.scalar(select(func.count()).select_from(Product)) == 1


def test_recently_claimed_delivery_is_left_to_its_worker(post_shopify, shopify_integration):
    webhook_id = _stored_delivery(post_shopify)
    _die_mid_job(webhook_id, STUCK_AFTER - timedelta(minutes=1))  # maybe still running
    assert sweep_pending() == 0
    assert _row(webhook_id).status == "processing"


def test_delivery_that_keeps_killing_its_worker_fails_with_a_clear_error(
    post_shopify, shopify_integration, run_jobs
):
    webhook_id = _stored_delivery(post_shopify)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        _die_mid_job(webhook_id, STUCK_AFTER + timedelta(minutes=1))
        assert _row(webhook_id).attempts == attempt
        swept = sweep_pending()
        assert swept == (1 if attempt < MAX_ATTEMPTS else 0)
    row = _row(webhook_id)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert f"stopped {MAX_ATTEMPTS} times" in row.error and "Retry" in row.error
    assert sweep_pending() == 0
    assert _row(webhook_id).status == "failed"  # stays failed until a person retries it


def test_delivery_claimed_twice_is_claimed_alone_so_its_last_try_fails_only_itself(
    post_shopify, shopify_integration, run_jobs
):
    """A delivery that killed the workers of two batches is claimed alone the third time: if it kills that
    worker too, the three-claims rule fails it and nothing else; its batch-mates went on in batches."""
    from tests.system import deliveries as plan_

    ids = []
    for product in range(1, 7):
        body = plan_.product_body(product, 1)
        assert post_shopify("products/update", body, webhook_id=f"mate-{product}").status_code == 200
        ids.append(db.session.scalar(select(Webhook.id).where(Webhook.delivery_id == f"mate-{product}")))
    killer, mates = ids[0], ids[1:]
    # Two batches died with the killer in them (it is the oldest pending delivery); back in the inbox since.
    db.session.execute(
        update(Webhook)
        .where(Webhook.id == killer)
        .values(attempts=2, received_at=utcnow() - timedelta(hours=1))
    )
    db.session.execute(update(Webhook).where(Webhook.id.in_(mates[:2])).values(attempts=1))
    db.session.commit()

    first = inbox.claim()
    assert [r.id for r in first] == [killer]  # alone, though five more are pending
    second = inbox.claim()
    assert sorted(r.id for r in second) == sorted(mates)  # the others together, tried once before or not
    db.session.rollback()
    # The killer's worker dies again: past the claim timeout the sweeper fails it, and only it.
    db.session.execute(
        update(Webhook)
        .where(Webhook.id.in_(ids))
        .values(claimed_at=utcnow() - STUCK_AFTER - timedelta(minutes=1))
    )
    db.session.commit()
    sweep_pending()
    assert (_row(killer).status, _row(killer).attempts) == ("failed", MAX_ATTEMPTS)
    assert {_row(i).status for i in mates} == {"pending"}  # back in the inbox, below the rule
    run_jobs()
    assert {(_row(i).status, _row(i).attempts) for i in mates} <= {("processed", 2), ("processed", 3)}
    assert _row(killer).status == "failed"


def test_a_batch_claim_skips_no_delivery_behind_a_retried_one(post_shopify, shopify_integration, monkeypatch):
    """Retried deliveries each take a claim of their own, then the drain goes on in batches: all end done."""
    from app.webhooks import batch
    from tests.system import deliveries as plan_

    for product in range(1, 9):
        body = plan_.product_body(product, 1)
        assert post_shopify("products/update", body, webhook_id=f"d-{product}").status_code == 200
    retried = db.session.scalars(select(Webhook.id).order_by(Webhook.id).limit(3)).all()
    db.session.execute(update(Webhook).where(Webhook.id.in_(retried)).values(attempts=2))
    db.session.commit()
    sizes = []
    apply_batch = batch.apply_batch

    def counted(rows):
        sizes.append(len(rows))
        return apply_batch(rows)

    monkeypatch.setattr(batch, "apply_batch", counted)
    inbox.drain_inbox()
    assert sizes == [1, 1, 1, 5]
    db.session.expire_all()
    statuses = dict(db.session.execute(select(Webhook.status, func.count()).group_by(Webhook.status)).all())
    assert statuses == {"processed": 8}
    assert {_row(i).attempts for i in retried} == {3}
