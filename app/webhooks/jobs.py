"""Webhook jobs: process stored deliveries, wake a worker for deliveries none was told about, retry failed ones.

Workers drain the inbox in claimed batches (`app.webhooks.inbox.drain_inbox`, woken by intake). A delivery
whose handler commits on its own (stock, cancellations, uninstalls, Meta messages) runs here, in
`run_claimed`: the handler's writes and the `processed` status commit together; on an error everything the
handler did in that transaction is rolled back and the row becomes `failed` with the error, to be retried
from the dashboard or `POST /api/webhooks/<id>/retry`. No automatic retry: a handler that failed once would
fail the same way, and a retry storm on a bad payload helps nobody. `process_webhook(webhook_id)` (one row,
claimed with one conditional UPDATE) still runs jobs an older release queued one per delivery.

A worker that dies mid-batch (OOM, SIGKILL, a lost host) leaves its rows `processing`. `sweep_pending` takes
such a row back once it has been claimed for longer than STUCK_AFTER (far beyond any job timeout): back to
`pending` (and a worker woken) while it has had fewer than MAX_ATTEMPTS claims, `failed` with a clear error
after that (a delivery that keeps killing its worker must not do so forever).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Webhook
from app.models.types import utcnow
from app.webhooks import lag, wake
from app.webhooks.delivery import Delivery
from app.webhooks.handlers import handler_for

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


def mark_superseded(winner_id: int, loser_ids, now=None) -> None:
    """Older deliveries of the resource `winner_id` was applied for: done, pointing at the one applied."""
    if loser_ids:
        db.session.execute(
            update(Webhook)
            .where(Webhook.id.in_(list(loser_ids)))
            .values(status="processed", error=None, processed_at=now or utcnow(), superseded_by=winner_id)
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
    return run_claimed(db.session.get(Webhook, webhook_id))


def delivery_of(row, body: dict | None = None) -> Delivery:
    return Delivery(
        webhook_id=row.id, platform=row.platform, topic=row.topic, workspace_id=row.workspace_id,
        integration_id=row.integration_id, account_id=row.account_id, headers=dict(row.headers or {}),
        received_at=row.received_at, body=body or {},
    )  # fmt: skip


def parse_body(payload: str) -> dict:
    body = json.loads(payload)
    if not isinstance(body, dict):
        raise ValueError("the webhook body is not a JSON object")
    return body


def error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def run_claimed(row, superseded=()) -> str:
    """Run the handler of one claimed row (a `Webhook`, or a row of a claimed batch) in its own transaction.
    The older deliveries it makes moot (`superseded`, ids) are marked done with it, whatever its outcome:
    retrying this one, the newest, is what brings the resource up to date."""
    webhook_id = row.id
    delivery = delivery_of(row)
    try:
        delivery.body = parse_body(row.payload)
        handler = handler_for(row.platform, row.topic)
        if handler is None:
            delivery.log(row.workspace_id, "webhook", row.id, "skip", error=f"No handler for {row.topic}.")
        else:
            handler(delivery)
        _set_status(webhook_id, "processed")
        mark_superseded(webhook_id, superseded)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        _set_status(webhook_id, "failed", error_text(exc))
        mark_superseded(webhook_id, superseded)
        db.session.commit()
        log.exception(
            "webhook %s (%s %s, delivery_id=%s) failed", webhook_id, delivery.platform, delivery.topic,
            getattr(row, "delivery_id", "-"),
        )  # fmt: skip
        return "failed"
    for callback in delivery.after_commit:
        try:
            callback()
        except Exception:  # the delivery is processed; a follow-up that failed must not undo that
            log.exception("webhook %s: after-commit step failed", webhook_id)
    log.info("webhook %s (%s %s) processed", webhook_id, delivery.platform, delivery.topic)
    return "processed"


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
            # Received long ago, so the pending sweep below wakes a worker for it in this same run.
            log.warning("webhook %s stuck in processing (worker died?): back to pending", webhook_id)
            recovered += 1
    db.session.commit()
    return recovered


def sweep_pending() -> int:
    """Housekeeping: take back deliveries whose worker died (`recover_stuck`), raise an alert where the inbox
    is behind (`lag.alert_on_lag`), then wake a worker for the
    `pending` deliveries older than a minute unless a drain is already queued (a backlog is not a loss).
    Returns how many deliveries it handed over (up to SWEEP_BATCH; 0 when none was needed)."""
    recover_stuck()
    lag.alert_on_lag()
    cutoff = utcnow() - SWEEP_AFTER
    stale = db.session.scalar(
        select(func.count()).select_from(
            select(Webhook.id)
            .where(Webhook.status == "pending", Webhook.received_at < cutoff)
            .limit(SWEEP_BATCH)
            .subquery()
        )
    )
    db.session.rollback()  # no transaction held open while talking to Redis
    if not stale or wake.drain_queued():
        return 0
    if not wake.wake(force=True):
        log.warning("webhook sweep: Redis unavailable; %d pending deliveries wait for the next minute", stale)
        return 0
    log.info("webhook sweep woke a worker for %d pending deliveries", stale)
    return stale


def retry_webhook(webhook: Webhook) -> bool:
    """Put a failed (or stuck pending) delivery back in the inbox; False when it is not retryable."""
    if webhook.status not in ("failed", "pending"):
        return False
    result = db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook.id, Webhook.status.in_(("failed", "pending")))
        .values(status="pending", error=None, superseded_by=None)
    )
    db.session.commit()
    if not result.rowcount:
        return False
    wake.wake()  # Redis down: the sweeper wakes a worker within a minute or two
    return True
