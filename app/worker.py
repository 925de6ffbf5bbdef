"""RQ workers that run jobs inside the Flask app context.

`rq worker -w app.worker.AppWorker webhooks sync default` is the production worker (see Procfile): it builds
the app once, before forking work horses. `start_embedded()` runs a thread worker and the schedulers inside
the web process for the embedded default (no REDIS_URL): threads only, no child process.
"""

from __future__ import annotations

import logging
import threading

from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty
from rq.worker import SimpleWorker, Worker

from app.extensions import db
from app.queues import QUEUES, get_queue, get_redis

log = logging.getLogger(__name__)


# How long the thread listening for worker commands (RQ's pubsub) waits for a message before it checks whether
# it should stop. RQ asks for 60 s, and at teardown it joins that thread after unsubscribing, when nothing will
# come: every burst then hung for up to a minute before the next burst could take the jobs queued meanwhile
# (a first sync "queued" for 40 s after connect). One second bounds that wait.
PUBSUB_POLL_SECONDS = 1.0


class _AppContextMixin:
    """Each job gets a clean database session, whatever the previous job left behind."""

    def subscribe(self):
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_POLL_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def perform_job(self, job, queue, execution):
        try:
            return super().perform_job(job, queue, execution)
        finally:
            db.session.remove()


class _OwnAppMixin(_AppContextMixin):
    """A worker process of its own (`rq worker -w ...`): builds the app once and works inside its context."""

    def __init__(self, *args, **kwargs):
        from app import create_app

        self.flask_app = create_app()
        self.flask_app.app_context().push()
        super().__init__(*args, **kwargs)


class AppWorker(_OwnAppMixin, Worker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every Shopify call prices its query against the pinned Admin schema, which takes ~1.2 s of CPU to
        # build. Built here, before forking, each work horse inherits it instead of building it per job.
        from app.platforms.shopify.cost import load_admin_schema

        load_admin_schema()

    def execute_job(self, job, queue):
        # A forked work horse must not share the parent's database connections.
        db.engine.dispose(close=False)
        return super().execute_job(job, queue)


class InlineAppWorker(_OwnAppMixin, SimpleWorker):
    """Runs each job in the worker process itself: no fork and no new database connection per job.

    For the `webhooks` queue, whose jobs are many and short: forking a work horse for each one cost more than
    the job. A job that kills the process (OOM, SIGKILL) leaves its row `processing`; the minute sweeper
    takes it back. Timeouts still apply (SIGALRM, this runs in the main thread).
    """


class ThreadWorker(_AppContextMixin, SimpleWorker):
    """Runs jobs in the calling thread; timeouts by timer because signals only work in the main thread."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        if threading.current_thread() is threading.main_thread():
            super()._install_signal_handlers()


class ThreadScheduler(RQScheduler):
    """RQ's scheduler (due retries and `enqueue_in` jobs back into their queues) in a thread of this process:
    signals belong to the main thread, so it installs none and stops with the process."""

    def _install_signal_handlers(self):
        pass


def burst(queue_names=QUEUES, max_jobs: int | None = None) -> bool:
    """Drain the queues in this thread and return; used by tests and the CLI."""
    worker = ThreadWorker([get_queue(n) for n in queue_names], connection=get_redis())
    return worker.work(burst=True, max_jobs=max_jobs, logging_level="WARNING")


_embedded_lock = threading.Lock()


def start_embedded_once(app) -> None:
    if app.extensions.get("embedded_worker"):
        return
    with _embedded_lock:
        if not app.extensions.get("embedded_worker"):
            app.extensions["embedded_worker"] = start_embedded(app)


def start_embedded(app) -> list[threading.Thread]:
    """Start a worker thread and a scheduler thread for the embedded default."""
    from app import schedule

    def run_worker():
        with app.app_context():
            worker = ThreadWorker([get_queue(n) for n in QUEUES], connection=get_redis())
            # Not `with_scheduler=True`: RQ forks its scheduler into a process of its own, which here would
            # poll a copy of the in-process Redis (retries never came back) and outlive the web process,
            # holding its port. A thread of this process moves due retries back into the queues instead.
            worker.work(logging_level="WARNING")

    def run_retry_scheduler():
        with app.app_context():
            ThreadScheduler(QUEUES, connection=get_redis()).work()

    def run_scheduler():
        with app.app_context():
            schedule.run_scheduler(interval=5)

    threads = [
        threading.Thread(target=run_worker, name="embedded-worker", daemon=True),
        threading.Thread(target=run_scheduler, name="embedded-scheduler", daemon=True),
        threading.Thread(target=run_retry_scheduler, name="embedded-retries", daemon=True),
    ]
    for thread in threads:
        thread.start()
    log.info("embedded worker and scheduler started")
    return threads
