"""Draining the webhook inbox: a cheap wake-up signal, batch claims, and the drain job workers run.

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
import uuid

from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from sqlalchemy import exists, select, union_all, update

from app.extensions import db
from app.models import Webhook
from app.models.types import utcnow
from app.queues import QueueUnavailable, enqueue, get_redis

log = logging.getLogger(__name__)

WAKE_KEY = "wagents:webhooks:drain-queued"  # holds the id of the drain job waiting in the queue
# A mark whose job was lost (a flushed queue) stops blocking wake-ups this soon; the sweeper also checks.
WAKE_TTL = 30
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


def wake(*, force: bool = False) -> bool:
    """Make sure a drain job is queued; False when Redis is down (the minute sweeper wakes one later).
    `force` queues one even when the mark says one is waiting (the sweeper found it was not)."""
    redis = get_redis()
    job_id = f"webhook-drain-{uuid.uuid4().hex}"
    try:
        if force:
            redis.set(WAKE_KEY, job_id, ex=WAKE_TTL)
        elif not redis.set(WAKE_KEY, job_id, nx=True, ex=WAKE_TTL):
            return True  # a drain job is waiting: it will see what was committed before this call
        enqueue("webhooks.drain_inbox", job_id=job_id)
    except (QueueUnavailable, RedisError) as exc:
        log.warning("webhook inbox: cannot wake a worker, Redis unavailable (%s)", exc)
        return False
    return True


def drain_queued() -> bool:
    """True when a drain job is waiting in the queue (not merely marked: its job may have been lost)."""
    try:
        job_id = get_redis().get(WAKE_KEY)
        if not job_id:
            return False
        job = Job.fetch(job_id.decode() if isinstance(job_id, bytes) else job_id, connection=get_redis())
    except Exception:  # NoSuchJobError, Redis down, a job hash another version of RQ cannot read
        return False
    return job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def _release_mark() -> None:
    try:
        get_redis().delete(WAKE_KEY)
    except RedisError:  # the mark expires by itself; this job drains all the same
        log.warning("webhook inbox: could not clear the wake-up mark")


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
    from app.webhooks.batch import apply_batch

    _release_mark()
    started = time.monotonic()
    totals: dict[str, int] = {}
    while True:
        rows = claim(batch_size)
        if not rows:
            break
        if len(rows) == batch_size:
            wake()  # more is waiting: let another worker take the next batch meanwhile
        for outcome, n in apply_batch(rows).items():
            totals[outcome] = totals.get(outcome, 0) + n
        db.session.remove()  # a fresh session per batch: nothing of the last one lingers in its identity map
        if time.monotonic() - started > drain_for:
            wake()
            break
    if totals:
        log.info("webhook inbox drained: %s", totals)
    return totals
