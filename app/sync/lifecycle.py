"""The life of one sync run in the database: claim it, record a unit of progress, finish it, fail it.

Shared by the paged runner and the bulk path. Every function here commits; callers hold no other writes.
A run is *claimed* by one job at a time (`job_id`, `heartbeat_at`): a second job for the same run (the
bulk webhook and the poller, or a re-enqueue by the stuck-run sweeper) leaves quietly while the first one is
alive, and takes over when it is not (killed worker). Nothing here talks HTTP except the optional merchant
notification, which goes through `app.platforms.notify`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import bindparam, select, update

from app.extensions import db
from app.models import Alert, Integration, SyncRun, Workspace
from app.models.types import utcnow
from app.platforms.notify import post_notification
from app.queues import get_redis
from app.sync.catalog_writer import soft_delete_products
from app.sync.mapping import parse_time

log = logging.getLogger(__name__)

ACTIVE = ("queued", "in_progress")
FINISHED = ("succeeded", "failed", "cancelled")
# A live job writes its heartbeat on every page; one silent this long is dead (or stuck on a network call).
LEASE = timedelta(minutes=5)
GENERIC_FAILURE = "The sync stopped because of an error on our side. It has been logged; please try again."


@dataclass
class RunContext:
    """Plain values of the claimed run, so a page never reloads ORM rows after a commit."""

    run_id: int
    integration_id: int
    workspace_id: int
    kind: str
    currency: str | None
    cursor: dict
    worker_id: str
    total: int | None = None
    changed: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def started_at(self) -> datetime:
        return parse_time(self.cursor["started_at"])


def worker_id() -> str:
    job = get_current_job()
    # Inline (CLI) runs: one id per process, so the same process may re-claim its own waiting bulk run.
    return job.id if job is not None else f"inline-{os.getpid()}"


def _job_running(job_id: str) -> bool:
    if job_id.startswith("inline-"):
        return True  # a CLI run: only its heartbeat tells
    try:
        return Job.fetch(job_id, connection=get_redis()).get_status() == JobStatus.STARTED
    except NoSuchJobError:
        return False


def lock_integration(integration_id: int) -> Integration | None:
    """Row-lock the integration (Postgres) for the rest of the transaction; refreshes the object."""
    return db.session.scalars(
        select(Integration)
        .where(Integration.id == integration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def claim(run_id: int, me: str) -> tuple[SyncRun, Integration] | None:
    """Take the run for this job, or None when it is finished or another live job holds it."""
    run = db.session.get(SyncRun, run_id)
    if run is None or run.status in FINISHED:
        db.session.rollback()
        return None
    integration = lock_integration(run.integration_id)
    run = db.session.get(SyncRun, run_id, with_for_update=True, populate_existing=True)
    now = utcnow()
    if run.status in FINISHED or integration is None:
        db.session.rollback()
        return None
    fresh = run.heartbeat_at is not None and now - run.heartbeat_at < LEASE
    if run.status == "in_progress" and run.job_id not in (None, me) and fresh and _job_running(run.job_id):
        log.info("sync run %s is held by job %s; job %s leaves it", run.id, run.job_id, me)
        db.session.rollback()
        return None
    if integration.status != "connected":
        run.status, run.finished_at = "cancelled", now
        run.error = integration.status_message or "The store is no longer connected."
        if integration.sync_status in ACTIVE:
            integration.sync_status = "idle" if integration.status == "disconnected" else "error"
        db.session.commit()
        return None
    run.status, run.job_id, run.heartbeat_at = "in_progress", me, now
    run.started_at = run.started_at or now
    integration.sync_status = "in_progress"
    db.session.commit()
    return run, integration


def save_progress(ctx: RunContext, *, processed=0, created=0, updated=0, skipped=0, total=None) -> None:
    """Counts and cursor of one unit of progress, in the caller's transaction, then commit."""
    now = utcnow()
    if total is not None:
        ctx.total = total
    if processed:
        _note_pace(ctx, processed, now)
    params = {
        "run_id": ctx.run_id, "add_processed": processed, "add_created": created, "add_updated": updated,
        "add_skipped": skipped, "now": now, "new_total": total, "integration": ctx.integration_id,
        "cursor": dict(ctx.cursor),
    }  # fmt: skip
    connection = db.session.connection()
    for statement in _progress_statements(connection.dialect.name, total is not None):
        connection.execute(statement, params)
    db.session.commit()
    ctx.changed += created + updated


def _note_pace(ctx: RunContext, processed: int, now: datetime) -> None:
    """The sample the ETA is computed from (`progress._pace`): when this attempt committed its first items,
    and how many it has committed since. Kept in the cursor, which every unit of progress writes anyway."""
    if not ctx.extra.get("pace") or not ctx.cursor.get("pace"):  # a resumed run starts a new sample
        ctx.extra["pace"] = True
        ctx.cursor["pace"] = {"since": now.isoformat(), "count": 0}
    else:
        ctx.cursor["pace"]["count"] += processed


@lru_cache(maxsize=8)
def _progress_statements(dialect: str, with_total: bool) -> tuple:
    """Built once, run on the connection for every page (no ORM bookkeeping: nothing here is loaded).

    No parameter is named after a column of either table: Core would add it to the SET clause."""
    values = {
        "processed": SyncRun.processed + bindparam("add_processed"),
        "created": SyncRun.created + bindparam("add_created"),
        "updated": SyncRun.updated + bindparam("add_updated"),
        "skipped": SyncRun.skipped + bindparam("add_skipped"),
        "heartbeat_at": bindparam("now", type_=SyncRun.heartbeat_at.type),
    }
    if with_total:
        values["total"] = bindparam("new_total")
    run = update(SyncRun).where(SyncRun.id == bindparam("run_id")).values(**values)
    # Last statement before COMMIT: the integration row stays locked for the shortest time (a token
    # refresh in the fetch thread takes the same row lock).
    # updated_at given, not left to its onupdate: SQLAlchemy leaves that default out of a statement with a CTE.
    cursor = (
        update(Integration)
        .where(Integration.id == bindparam("integration"))
        .values(
            sync_cursor=bindparam("cursor", type_=Integration.sync_cursor.type),
            updated_at=bindparam("now", type_=Integration.updated_at.type),
        )  # fmt: skip
    )
    if dialect == "postgresql":
        # One round trip for both (a data-modifying CTE always runs): a page's writes are a few statements
        # and each round trip waits for this thread to be scheduled again, the costlier on a busy worker.
        return (cursor.add_cte(run.returning(SyncRun.id).cte("run_progress")),)
    return run, cursor


def heartbeat(ctx: RunContext) -> None:
    save_progress(ctx)


def finish(ctx: RunContext, *, soft_delete: bool, then_orders: bool = False) -> SyncRun:
    """The run succeeded. `then_orders` (a whole full sync): unless it read the orders itself (a whole-shop
    bulk export does), the orders run that follows it is queued in the same commit, so whoever sees this run
    succeeded also sees what comes next (`ctx.extra["follow_up_run_id"]`; the caller enqueues its job)."""
    deleted = []
    if soft_delete:
        deleted = soft_delete_products(
            ctx.workspace_id, not_seen_since=ctx.started_at, integration_id=ctx.integration_id,
            sync_run_id=ctx.run_id,
        )  # fmt: skip
    run = db.session.get(SyncRun, ctx.run_id, populate_existing=True)
    integration = db.session.get(Integration, ctx.integration_id, populate_existing=True)
    now = utcnow()
    run.deleted = (run.deleted or 0) + len(deleted)
    run.status, run.finished_at, run.heartbeat_at, run.error = "succeeded", now, now, None
    if run.total is None or run.total < run.processed:
        run.total = run.processed
    orders_exported = ((ctx.cursor.get("exports") or {}).get("orders") or {}).get("status") == "imported"
    if ctx.kind == "orders" or orders_exported:  # a whole-shop bulk run read every order too
        integration.config = {**(integration.config or {}), "orders_synced_at": ctx.cursor["started_at"]}
    if ctx.kind != "orders":
        # The run's start, not its end: what changed while it ran is picked up by the next incremental.
        integration.last_sync_at = ctx.started_at
    integration.sync_status, integration.sync_error, integration.sync_cursor = "idle", None, None
    follow_up = None
    if then_orders and not orders_exported and integration.status == "connected":
        follow_up = SyncRun(workspace_id=run.workspace_id, integration_id=run.integration_id, kind="orders",
                            status="queued")  # fmt: skip
        db.session.add(follow_up)
        integration.sync_status = "queued"
    db.session.commit()
    if follow_up is not None:
        ctx.extra["follow_up_run_id"] = follow_up.id
    log.info(
        "sync run %s (integration %s, %s) done: %s created, %s updated, %s skipped, %s deleted",
        run.id, ctx.integration_id, ctx.kind, run.created, run.updated, run.skipped, run.deleted,
    )  # fmt: skip
    ctx.changed += len(deleted)
    return run


def fail(run_id: int, message: str, *, detail: str = "") -> None:
    """Run failed after retries: error on the run and the integration (cursor kept), an Alert, a
    notification. `message` is the merchant's sentence; `detail` goes to the log only."""
    db.session.rollback()
    run = db.session.get(SyncRun, run_id, populate_existing=True)
    if run is None:
        return
    integration = db.session.get(Integration, run.integration_id, populate_existing=True)
    now = utcnow()
    run.status, run.error, run.finished_at, run.heartbeat_at = "failed", message, now, now
    if integration is not None:
        integration.sync_status, integration.sync_error = "error", message
    db.session.add(Alert(workspace_id=run.workspace_id, integration_id=run.integration_id, level="error",
                         source="sync", message=message))  # fmt: skip
    db.session.commit()
    log.error("sync run %s (integration %s) failed: %s %s", run.id, run.integration_id, message, detail)
    workspace = db.session.get(Workspace, run.workspace_id)
    if workspace is not None and workspace.notification_webhook_url:
        post_notification(
            workspace.notification_webhook_url,
            {
                "event": "sync.failed",
                "workspace_id": run.workspace_id,
                "integration_id": run.integration_id,
                "shop": integration.account_id if integration else None,
                "run_id": run.id,
                "kind": run.kind,
                "message": message,
                "at": now.isoformat(),
            },
            allow_private=bool(current_app.config.get("NOTIFY_ALLOW_PRIVATE")),
        )
