"""SyncOrchestrationService: start sync runs, continue bulk exports, sweep stuck runs.

`start_sync` is the one door a sync goes through (the dashboard button, both API routes, the CLI, the
schedules, the first sync after a Shopify connect), with one default kind (`DEFAULT_KIND`, "full": the one
that also removes what Shopify no longer has) and one refusal (`SyncError`, or `SyncAlreadyRunning` carrying
the run in the way). It is race-safe: the integration row is locked (SELECT ... FOR UPDATE on Postgres, a
process lock on SQLite) while it checks for an active run and creates the new one, so two requests at the
same moment give one run and one clear refusal naming it. The work itself happens in `runner.execute_run`,
in the `sync` queue's job; this module never imports the runner or the jobs (it enqueues them by name).
"""

from __future__ import annotations

import logging
import secrets
import threading
from datetime import timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select

from app.extensions import db
from app.models import Integration, SyncRun
from app.models.sync import SYNC_KINDS
from app.models.types import utcnow
from app.problems import AppError
from app.queues import QueueUnavailable, enqueue, get_redis, safe_retry
from app.sync.bulk import operation_ids
from app.sync.lifecycle import ACTIVE, LEASE, _job_running, fail, lock_integration

log = logging.getLogger(__name__)

DEFAULT_KIND = "full"  # what every door starts when it is not told which kind
JOB_TIMEOUT = 6 * 3600  # a 100,000-product paged sync on a throttled plan takes hours
STUCK_AFTER = timedelta(minutes=10)
GIVE_UP_AFTER = timedelta(hours=12)
BULK_POLL_EVERY = timedelta(seconds=30)
_sqlite_lock = threading.Lock()


class SyncError(AppError):
    def __init__(self, message: str, status: int = 400, run: SyncRun | None = None):
        super().__init__(message)
        self.message, self.status, self.run = message, status, run


class SyncAlreadyRunning(SyncError):
    """Another run of this integration is queued or in progress; `.run` is that run."""


def active_run(integration_id: int) -> SyncRun | None:
    return db.session.scalars(
        select(SyncRun)
        .where(SyncRun.integration_id == integration_id, SyncRun.status.in_(ACTIVE))
        .order_by(SyncRun.id.desc())
    ).first()


def start_sync(integration: Integration, kind: str = DEFAULT_KIND, *, enqueue_job: bool = True) -> SyncRun:
    """Create a queued run and enqueue its job; raise SyncAlreadyRunning or SyncError (with .status)."""
    if kind not in SYNC_KINDS:
        raise SyncError(f"Unknown sync kind {kind!r}; use one of {', '.join(SYNC_KINDS)}.", 400)
    if integration.platform != "shopify":
        raise SyncError("Only Shopify stores are synced; other channels receive the catalog.", 400)
    integration_id = integration.id
    db.session.commit()  # the caller's pending changes must not ride in (or block) our locked transaction
    with _sqlite_lock if db.engine.dialect.name == "sqlite" else _nullcontext():
        locked = lock_integration(integration_id)
        if locked is None or locked.status != "connected":
            db.session.rollback()
            raise SyncError("Connect this store before syncing it.", 409)
        running = active_run(integration_id)
        if running is not None:
            db.session.rollback()
            raise SyncAlreadyRunning(
                f"A {running.kind} sync of this store is already {running.status.replace('_', ' ')} "
                f"(run {running.id}, started {running.created_at:%Y-%m-%d %H:%M} UTC).",
                409,
                running,
            )
        run = SyncRun(workspace_id=locked.workspace_id, integration_id=integration_id, kind=kind,
                      status="queued")  # fmt: skip
        db.session.add(run)
        locked.sync_status, locked.sync_error = "queued", None
        db.session.commit()
    if enqueue_job:
        enqueue_run(run)
    return run


def start_first_sync(integration: Integration) -> SyncRun | None:
    """After a Shopify store was connected: its first full sync. Never raises: the store stays connected
    whatever happens here, the merchant can press "Sync now", and the operator finds the error in the log.
    Anything but a connected Shopify store is left alone (a Meta connect, a row added without a token)."""
    if integration.platform != "shopify" or integration.status != "connected":
        return None
    try:
        return start_sync(integration, "full")
    except Exception:
        log.exception("integration %s: could not start the first full sync", integration.id)
        return None


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def enqueue_run(run: SyncRun, *, take_over: bool = False) -> None:
    """Put a job for `run` on the sync queue; a run whose job cannot be queued fails with a sentence.
    `take_over`: the run's recorded job is dead (the sweeper checked), so the new job becomes the one the
    next sweep asks about; otherwise a sweep would queue yet another job while this one waits its turn."""
    job_id = f"sync-{run.id}-{secrets.token_hex(4)}"
    try:
        enqueue("sync.run", run.integration_id, run.id, job_id=job_id, retry=safe_retry(),
                job_timeout=JOB_TIMEOUT)  # fmt: skip
    except QueueUnavailable as exc:
        run.status, run.finished_at = "failed", utcnow()
        run.error = "The background worker is not reachable right now. Please try again in a minute."
        integration = db.session.get(Integration, run.integration_id)
        if integration is not None and integration.sync_status == "queued":
            integration.sync_status = "idle"
        db.session.commit()
        raise SyncError(run.error, 503, run) from exc
    if take_over or (run.status == "queued" and run.job_id is None):
        run.job_id = job_id
        db.session.commit()


def follow_up_run(run_id: int) -> SyncRun | None:
    """The orders run a whole full run queued as it finished (`lifecycle.finish`), while it waits for a job."""
    run = db.session.get(SyncRun, run_id)
    if run is None or run.kind != "full":
        return None
    return db.session.scalars(
        select(SyncRun)
        .where(SyncRun.integration_id == run.integration_id, SyncRun.id > run.id, SyncRun.kind == "orders",
               SyncRun.status == "queued", SyncRun.job_id.is_(None))
        .order_by(SyncRun.id)
    ).first()  # fmt: skip


def enqueue_follow_up(run_id: int) -> SyncRun | None:
    """Give the follow-up orders run of `run_id` its job. Never raises: one that cannot be queued fails with
    its sentence (`enqueue_run`), and the catalog run stays succeeded."""
    follow_up = follow_up_run(run_id)
    if follow_up is None:
        return None
    try:
        enqueue_run(follow_up)
    except SyncError as exc:
        log.warning("orders run %s after run %s not queued: %s", follow_up.id, run_id, exc.message)
    return follow_up


def continue_bulk(integration: Integration, bulk_operation_gid: str) -> SyncRun | None:
    """BULK_OPERATIONS_FINISH arrived: enqueue the waiting run of that export (None if none waits)."""
    cursor = integration.sync_cursor or {}
    if bulk_operation_gid not in {cursor.get("bulk_operation_id"), *operation_ids(cursor)} - {None}:
        log.info("integration %s: no run waits for bulk operation %s", integration.id, bulk_operation_gid)
        return None
    run = db.session.get(SyncRun, cursor.get("run_id"))
    if run is None or run.status not in ACTIVE:
        return None
    enqueue_run(run)
    return run


def sweep_sync_runs() -> int:
    """Minute housekeeping: poll waiting bulk exports, re-enqueue runs whose worker died, fail runs that
    never finish. Returns how many runs it touched."""
    now = utcnow()
    touched = 0
    for run in db.session.scalars(select(SyncRun).where(SyncRun.status.in_(ACTIVE))).all():
        integration = db.session.get(Integration, run.integration_id)
        cursor = (integration.sync_cursor or {}) if integration else {}
        last = run.heartbeat_at or run.created_at
        waiting = cursor.get("run_id") == run.id and cursor.get("phase") == "waiting"
        if now - run.created_at > GIVE_UP_AFTER:
            fail(run.id, "The sync took too long and was stopped. Please start it again.")
        elif waiting and now - last >= BULK_POLL_EVERY and not _alive(run, now):
            enqueue_run(run, take_over=True)  # fallback when no BULK_OPERATIONS_FINISH webhook came
        elif not waiting and now - last >= STUCK_AFTER and not _alive(run, now):
            log.warning("sync run %s silent since %s: re-enqueued to resume from its cursor", run.id, last)
            enqueue_run(run, take_over=True)
        else:
            continue
        touched += 1
    return touched


def _alive(run: SyncRun, now) -> bool:
    """Is a job for this run queued or running (so a new one would only wait or leave)?"""
    if not run.job_id:
        return False
    if run.job_id.startswith("inline-"):
        return run.heartbeat_at is not None and now - run.heartbeat_at < LEASE
    try:
        status = Job.fetch(run.job_id, connection=get_redis()).get_status()
    except NoSuchJobError:
        return False
    return status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED) or _job_running(run.job_id)
