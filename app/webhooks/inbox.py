"""Draining the webhook inbox: batch claims and the drain job workers run (woken through `app.webhooks.wake`).

Intake stores a delivery, then `wake()`s: one `SET NX` in Redis, which enqueues a `drain_inbox` job only
when none is already waiting. A drain job first clears that mark, then claims up to BATCH_SIZE `pending`
rows at a time (`FOR UPDATE SKIP LOCKED` on Postgres, so several workers take disjoint batches; a plain
claim on SQLite, where one process drains) and hands each batch to `app.webhooks.batch`. A delivery stored
after the mark was cleared wakes another job, and one stored while the mark stood is committed before the
waiting job's first claim: none is left without a worker. A full batch wakes one more worker, so a burst
spreads over every worker process. The claim is its own commit: a worker killed mid-batch leaves its rows
`processing`, and `jobs.recover_stuck` returns them to `pending` after STUCK_AFTER.

Must not apply deliveries itself (that is `batch`) and must not hold a transaction while talking to Redis.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import exists, select, union_all, update

from app.extensions import db
from app.models import Webhook
from app.models.types import utcnow
from app.webhooks import batch
from app.webhooks.wake import release_mark, wake

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# One job drains for this long at most, then hands over to a new one: far below RQ's job timeout.
DRAIN_FOR = 60.0
# Claims a delivery may have had (each ending with its worker dead) before it is claimed alone, with room
# left under jobs.MAX_ATTEMPTS for that lone attempt.
RETRIED_AFTER = 2
CLAIMED_COLUMNS = (
    Webhook.id, Webhook.platform, Webhook.topic, Webhook.delivery_id, Webhook.workspace_id,
    Webhook.integration_id, Webhook.account_id, Webhook.headers, Webhook.payload, Webhook.received_at,
)  # fmt: skip


def claim(limit: int = BATCH_SIZE) -> list:
    """Claim up to `limit` pending deliveries, oldest first (pending -> processing, attempts + 1), committed.
    Returns their rows (the CLAIMED_COLUMNS) in the order they were received.

    A delivery already claimed RETRIED_AFTER times (its workers died) is claimed alone, when one is among the
    oldest `limit`: if it is what kills workers, its last attempt must not take a batch of others through the
    three-claims rule with it. One statement either way: the oldest pending rows are locked, then either the
    first retried one among them or all of them are claimed (the rest are unlocked at the commit)."""
    picked = (
        select(Webhook.id, Webhook.attempts)
        .where(Webhook.status == "pending")
        .order_by(Webhook.received_at, Webhook.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=True)
    picked = picked.cte("picked")
    retried = (
        select(picked.c.id).where(picked.c.attempts >= RETRIED_AFTER).order_by(picked.c.id).limit(1)
    ).cte("retried")
    chosen = union_all(
        select(retried.c.id), select(picked.c.id).where(~exists(select(retried.c.id)))
    ).subquery()
    rows = db.session.execute(
        update(Webhook)
        .where(Webhook.id.in_(select(chosen.c.id)), Webhook.status == "pending")
        .values(status="processing", attempts=Webhook.attempts + 1, claimed_at=utcnow())
        .returning(*CLAIMED_COLUMNS)
    ).all()
    db.session.commit()
    return sorted(rows, key=lambda r: (r.received_at, r.id))


def drain_inbox(batch_size: int = BATCH_SIZE, drain_for: float = DRAIN_FOR) -> dict[str, int]:
    """The `webhooks` queue's job: claim and apply batches until the inbox is empty (or `drain_for` seconds
    have passed, then another job takes over). Safe to run any number of times at once."""
    release_mark()
    started = time.monotonic()
    totals: dict[str, int] = {}
    while True:
        rows = claim(batch_size)
        if not rows:
            break
        if len(rows) == batch_size:
            wake()  # more is waiting: let another worker take the next batch meanwhile
        for outcome, n in batch.apply_batch(rows).items():
            totals[outcome] = totals.get(outcome, 0) + n
        db.session.remove()  # a fresh session per batch: nothing of the last one lingers in its identity map
        if time.monotonic() - started > drain_for:
            wake()
            break
    if totals:
        log.info("webhook inbox drained: %s", totals)
    return totals
