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
from app.webhooks import inbox
from app.webhooks.jobs import MAX_ATTEMPTS, STUCK_AFTER, sweep_pending
from tests.webhooks.conftest import fixture_bytes


def _die_mid_job(webhook_id: int, claimed_ago: timedelta) -> None:
    """What a SIGKILLed worker leaves behind: the row claimed, the drain job that woke it taken off the queue,
    "started", its wake-up mark cleared (a drain job clears it first thing)."""
    job = Job.fetch(get_redis().get(inbox.WAKE_KEY).decode(), connection=get_redis())
    get_queue("webhooks").remove(job)
    job.set_status(JobStatus.STARTED)
    get_redis().delete(inbox.WAKE_KEY)
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
