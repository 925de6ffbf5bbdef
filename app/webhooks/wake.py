"""The inbox's wake-up signal: one `SET NX` in Redis that enqueues a `drain_inbox` job only when none waits.

Used by intake (after storing a delivery), by the drain job (a full batch wakes one more worker) and by the
minute sweeper and the retry button (`app.webhooks.jobs`). Kept apart from the drain so those callers need
not import it. Talks to Redis only; never touches the database.
"""

from __future__ import annotations

import logging
import uuid

from redis.exceptions import RedisError
from rq.job import Job, JobStatus

from app.queues import QueueUnavailable, enqueue, get_redis

log = logging.getLogger(__name__)

WAKE_KEY = "wagents:webhooks:drain-queued"  # holds the id of the drain job waiting in the queue
# A mark whose job was lost (a flushed queue) stops blocking wake-ups this soon; the sweeper also checks.
WAKE_TTL = 30


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


def release_mark() -> None:
    try:
        get_redis().delete(WAKE_KEY)
    except RedisError:  # the mark expires by itself; this job drains all the same
        log.warning("webhook inbox: could not clear the wake-up mark")
