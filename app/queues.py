"""The one place that knows the job queues and how to reach Redis.

With `REDIS_URL` set, jobs go to Redis and the Procfile's worker runs them. Without it (the embedded
default) they go to an in-process fakeredis server that a worker thread started by the app drains.
"""

from __future__ import annotations

import logging

import fakeredis
import redis
from flask import current_app
from redis.backoff import ExponentialBackoff
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from rq.job import Job

QUEUES = ("webhooks", "sync", "default")
log = logging.getLogger(__name__)


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
    queue_name: str,
    func,
    *args,
    job_id: str | None = None,
    retry: Retry | None = None,
    job_timeout: int | None = None,
    **kwargs,
) -> Job:
    """Enqueue `func(*args, **kwargs)`; raise QueueUnavailable when Redis is down."""
    try:
        queue = get_queue(queue_name)
        # One round trip: the job's hash and its place in the queue go in a single pipeline.
        with queue.connection.pipeline() as pipe:
            job = queue.enqueue_call(
                func, args=args, kwargs=kwargs, timeout=job_timeout, job_id=job_id, retry=retry, pipeline=pipe
            )
            pipe.execute()
        return job
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        log.warning("queue %s unavailable: %s", queue_name, exc)
        raise QueueUnavailable(str(exc)) from exc


def safe_retry() -> Retry:
    """The retry policy for jobs that are safe to run again: 3 tries, 1, 2 and 4 seconds apart."""
    return Retry(max=3, interval=[1, 2, 4])
