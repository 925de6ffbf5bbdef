"""Webhook jobs: process one stored delivery, sweep deliveries Redis never saw, retry failed ones.

`process_webhook(webhook_id)` runs on the `webhooks` queue. It claims the row with one conditional UPDATE
(`pending` -> `processing`, attempts + 1), so a delivery enqueued twice (intake and sweeper) is processed once;
a row in any other state is left alone. The handler's writes and the `processed` status commit together; on an
error everything the handler did in that transaction is rolled back and the row becomes `failed` with the error,
to be retried from the dashboard or `POST /api/webhooks/<id>/retry`. No automatic retry: a handler that failed
once would fail the same way, and a retry storm on a bad payload helps nobody.

A worker that dies mid-job (OOM, SIGKILL, a lost host) leaves its row `processing`. `sweep_pending` takes such a
row back once it has been claimed for longer than STUCK_AFTER (far beyond any job timeout): back to `pending`
and re-enqueued while it has had fewer than MAX_ATTEMPTS claims, `failed` with a clear error after that (a
delivery that keeps killing its worker must not do so forever).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from app.extensions import db
from app.models import Webhook
from app.models.types import utcnow
from app.queues import get_redis
from app.webhooks.delivery import Delivery
from app.webhooks.handlers import handler_for
from app.webhooks.intake import enqueue_delivery

log = logging.getLogger(__name__)
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 500
ERROR_MAX = 2000
# RQ kills a job after its timeout (3 minutes by default), so a row claimed this long ago has no live worker.
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3  # claims, counting the one that died; then the row fails for a person to look at
STUCK_ERROR = (
    "Processing stopped {attempts} times without finishing (the worker died each time); not retried "
    "automatically. Retry it once the cause is fixed."
)


def _set_status(webhook_id: int, status: str, error: str | None = None) -> None:
    db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id)
        .values(status=status, error=error, processed_at=utcnow())
    )


def process_webhook(webhook_id: int) -> str:
    claimed = db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.status == "pending")
        .values(status="processing", attempts=Webhook.attempts + 1, claimed_at=utcnow())
    ).rowcount
    db.session.commit()
    if not claimed:
        log.info("webhook %s not pending (already processed, in progress or gone); skipped", webhook_id)
        return "skipped"
    row = db.session.get(Webhook, webhook_id)
    delivery = Delivery(
        webhook_id=row.id, platform=row.platform, topic=row.topic, workspace_id=row.workspace_id,
        integration_id=row.integration_id, account_id=row.account_id, headers=dict(row.headers or {}),
        received_at=row.received_at, body={},
    )  # fmt: skip
    try:
        body = json.loads(row.payload)
        if not isinstance(body, dict):
            raise ValueError("the webhook body is not a JSON object")
        delivery.body = body
        handler = handler_for(row.platform, row.topic)
        if handler is None:
            delivery.log(row.workspace_id, "webhook", row.id, "skip", error=f"No handler for {row.topic}.")
        else:
            handler(delivery)
        _set_status(webhook_id, "processed")
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        message = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        _set_status(webhook_id, "failed", message)
        db.session.commit()
        log.exception(
            "webhook %s (%s %s, delivery_id=%s) failed", webhook_id, delivery.platform, delivery.topic,
            row.delivery_id if row is not None else "-",
        )  # fmt: skip
        return "failed"
    for callback in delivery.after_commit:
        try:
            callback()
        except Exception:  # the delivery is processed; a follow-up that failed must not undo that
            log.exception("webhook %s: after-commit step failed", webhook_id)
    log.info("webhook %s (%s %s) processed", webhook_id, delivery.platform, delivery.topic)
    return "processed"


def _queued(webhook_id: int) -> bool:
    """True when the job is still waiting in Redis (a backlog is not a loss). Only asked about `pending`
    rows: a job that started claims its row at once, so a "started" job of a pending row is one whose worker
    died (or that is about to find the row claimed, where a second job is skipped harmlessly)."""
    try:
        job = Job.fetch(f"webhook-{webhook_id}", connection=get_redis())
    except Exception:  # NoSuchJobError, or a job hash another version of RQ cannot read
        return False
    return job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def recover_stuck() -> int:
    """Take back `processing` rows whose worker died: `pending` again, or `failed` past MAX_ATTEMPTS claims.
    Each change is a conditional UPDATE, so a worker finishing the row meanwhile wins. Returns how many."""
    cutoff = utcnow() - STUCK_AFTER
    stuck = (Webhook.status == "processing", Webhook.claimed_at < cutoff)
    rows = db.session.execute(
        select(Webhook.id, Webhook.attempts).where(*stuck).order_by(Webhook.claimed_at).limit(SWEEP_BATCH)
    ).all()
    recovered = 0
    for webhook_id, attempts in rows:
        mine = update(Webhook).where(Webhook.id == webhook_id, Webhook.attempts == attempts, *stuck)
        if attempts >= MAX_ATTEMPTS:
            error = STUCK_ERROR.format(attempts=attempts)
            if db.session.execute(mine.values(status="failed", error=error, processed_at=utcnow())).rowcount:
                log.error("webhook %s failed: its worker died %d times", webhook_id, attempts)
                recovered += 1
        elif db.session.execute(mine.values(status="pending", claimed_at=None)).rowcount:
            # Received long ago, so the pending sweep below re-enqueues it in this same run.
            log.warning("webhook %s stuck in processing (worker died?): back to pending", webhook_id)
            recovered += 1
    db.session.commit()
    return recovered


def sweep_pending() -> int:
    """Housekeeping: take back deliveries whose worker died (`recover_stuck`), then re-enqueue `pending`
    deliveries older than a minute that no queue holds. Returns how many were enqueued."""
    recover_stuck()
    cutoff = utcnow() - SWEEP_AFTER
    ids = list(
        db.session.scalars(
            select(Webhook.id)
            .where(Webhook.status == "pending", Webhook.received_at < cutoff)
            .order_by(Webhook.received_at)
            .limit(SWEEP_BATCH)
        )
    )
    db.session.rollback()  # no transaction held open while talking to Redis
    swept = 0
    try:
        for webhook_id in ids:
            if _queued(webhook_id):
                continue
            if not enqueue_delivery(webhook_id):
                break  # Redis is still down: next minute
            swept += 1
    except RedisError as exc:
        log.warning("webhook sweep stopped: Redis unavailable (%s)", exc)
    if swept:
        log.info("webhook sweep re-enqueued %d pending deliveries", swept)
    return swept


def retry_webhook(webhook: Webhook) -> bool:
    """Put a failed (or stuck pending) delivery back in the queue; False when it is not retryable."""
    if webhook.status not in ("failed", "pending"):
        return False
    result = db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook.id, Webhook.status.in_(("failed", "pending")))
        .values(status="pending", error=None)
    )
    db.session.commit()
    if not result.rowcount:
        return False
    enqueue_delivery(webhook.id)  # Redis down: the sweeper takes it within a minute or two
    return True
