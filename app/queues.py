"""The one place that knows the job queues, the jobs, and how to reach Redis.

With `REDIS_URL` set, jobs go to Redis and the Procfile's worker runs them. Without it (the embedded
default) they go to an in-process fakeredis server that a worker thread started by the app drains.

`JOBS` names every job the app enqueues or schedules: its dotted path (what RQ stores as the job's
`func_name` and imports in the worker) and its queue. `enqueue(name, ...)` is the one way to queue a job.
Paths stay strings, resolved by the worker, so this module imports nothing of ours and sits below every
area that enqueues; `tests/core/test_job_registry.py` checks each path and each call site resolves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import fakeredis
import redis
from flask import current_app
from redis.backoff import ExponentialBackoff
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from rq.job import Job
from rq_scheduler import Scheduler

QUEUES = ("webhooks", "sync", "default")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    path: str  # module.function, as RQ stores it: renaming a job strands the jobs already queued under it
    queue: str


JOBS: dict[str, JobSpec] = {
    "webhooks.drain_inbox": JobSpec("app.webhooks.inbox.drain_inbox", "webhooks"),
    # No longer enqueued: still run for the one-per-delivery jobs an older release left in Redis.
    "webhooks.process_webhook": JobSpec("app.webhooks.jobs.process_webhook", "webhooks"),
    "sync.run": JobSpec("app.sync.jobs.sync_integration", "sync"),
    "sync.scheduled": JobSpec("app.sync.jobs.start_scheduled_syncs", "sync"),
    "sync.nightly_full": JobSpec("app.sync.jobs.nightly_full_sync", "sync"),
    "sync.refresh_products": JobSpec("app.sync.refresh.refresh_products", "sync"),
    "sync.read_item_levels": JobSpec("app.sync.item_levels.read_item_levels", "sync"),
    "sync.refresh_location": JobSpec("app.sync.locations.refresh_location", "sync"),
    "sync.refresh_collection": JobSpec("app.sync.collections.refresh_collection", "sync"),
    "sync.audit": JobSpec("app.sync.audit_jobs.audit_integration", "sync"),
    "sync.nightly_audit": JobSpec("app.sync.audit_jobs.nightly_audits", "sync"),
    "sync.push_edit": JobSpec("app.sync.push_edits.push_product_edit", "default"),
    "sync.push_facebook": JobSpec("app.sync.facebook_push.push_catalog_to_facebook", "default"),
    "inventory.write_back": JobSpec("app.inventory.writeback.write_back_adjustments", "default"),
    "products.bulk_action": JobSpec("app.services.bulk_jobs.run_bulk_action", "default"),
    "agent.reply": JobSpec("app.agent.jobs.reply", "default"),
    "messaging.send": JobSpec("app.messaging.sender.send", "default"),
    "messaging.sync_templates": JobSpec("app.messaging.templates.sync_templates", "default"),
    "messaging.sync_all_templates": JobSpec("app.messaging.templates.sync_all_templates", "default"),
    "messaging.checkout_due": JobSpec("app.messaging.checkouts.checkout_due", "default"),
    "messaging.read_abandoned_checkouts": JobSpec(
        "app.messaging.checkout_reads.read_abandoned_checkouts", "sync"
    ),
    "messaging.read_all_abandoned_checkouts": JobSpec(
        "app.messaging.checkout_reads.read_all_abandoned_checkouts", "sync"
    ),
    "housekeeping.minutely": JobSpec("app.housekeeping.run_minutely", "default"),
}


def job_spec(name: str) -> JobSpec:
    try:
        return JOBS[name]
    except KeyError:
        raise ValueError(f"unknown job {name!r}: register it in app.queues.JOBS") from None


class QueueUnavailable(RuntimeError):
    """Redis did not answer; the caller keeps what it stored and a sweeper enqueues it later."""


def init_app(app) -> None:
    url = app.config.get("REDIS_URL")
    if url:
        # Fail fast when Redis is down: webhook intake stores the delivery and must still answer in time.
        conn = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=5, retry=RedisRetry(ExponentialBackoff(cap=0.2), 1)
        )
    else:
        conn = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    app.extensions["redis"] = conn


def get_redis() -> redis.Redis:
    return current_app.extensions["redis"]


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}")
    # One Queue object per name and app, shared by threads (it keeps no per-call state): webhook intake
    # enqueues on every delivery and need not rebuild it each time.
    # is_async=False would hide ordering and retry behaviour from tests; jobs always go through Redis.
    cache = current_app.extensions.setdefault("queues", {})
    queue = cache.get(name)
    if queue is None or queue.connection is not get_redis():
        queue = cache[name] = Queue(name, connection=get_redis())
    return queue


def enqueue(
    name: str,
    *args,
    job_id: str | None = None,
    retry: Retry | None = None,
    job_timeout: int | None = None,
    **kwargs,
) -> Job:
    """Enqueue the registered job `name` with `(*args, **kwargs)` on its queue; raise QueueUnavailable when
    Redis is down (ValueError for a name not in JOBS)."""
    spec = job_spec(name)
    queue_name = spec.queue
    try:
        queue = get_queue(queue_name)
        # One round trip: the job's hash and its place in the queue go in a single pipeline.
        with queue.connection.pipeline() as pipe:
            job = queue.enqueue_call(
                spec.path,
                args=args,
                kwargs=kwargs,
                timeout=job_timeout,
                job_id=job_id,
                retry=retry,
                pipeline=pipe,
            )
            pipe.execute()
        return job
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        log.warning("queue %s unavailable: %s", queue_name, exc)
        raise QueueUnavailable(str(exc)) from exc


def enqueue_at(name: str, at: datetime, *args, job_id: str) -> bool:
    """Run the registered job `name` at `at` through rq-scheduler (the scheduler process moves it to its queue
    when due); the same `job_id` again moves it. False when Redis is down: callers keep a sweep that finds
    the work anyway."""
    spec = job_spec(name)
    try:
        Scheduler(queue_name=spec.queue, connection=get_redis()).enqueue_at(
            at, spec.path, *args, job_id=job_id, queue_name=spec.queue
        )
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        log.warning("job %s not scheduled (%s); its sweep will run it", job_id, exc)
        return False
    return True


def safe_retry() -> Retry:
    """The retry policy for jobs that are safe to run again: 3 tries, 1, 2 and 4 seconds apart."""
    return Retry(max=3, interval=[1, 2, 4])
