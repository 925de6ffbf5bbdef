"""What a sync run looks like to a merchant: phase, percent, rate, ETA, a summary. Pure reads, no writes.

Used by the JSON API (`serialize_run`) and the dashboard's progress fragment, so both say the same thing.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Integration, SyncRun
from app.models.types import utcnow
from app.sync.mapping import parse_time

ACTIVE = ("queued", "in_progress")
# The ETA needs the pace of this run's own pages: at least this long between the first committed page and
# the latest, with items written after the first (so the count query, the schema load and the first
# request's latency are not counted as the catalog's speed). Until then it is not shown.
PACE_MIN_SECONDS = 2.0


def progress(run: SyncRun, cursor: dict | None = None) -> dict:
    """processed/total, percent (None while the total is unknown), items per second, ETA seconds (None until
    the run's pace is known) and the phase. `cursor`: the integration's sync cursor (read when not given)."""
    processed = run.processed or 0
    total = run.total
    percent = None
    if total:
        percent = 100.0 if run.status == "succeeded" else min(100.0, round(100.0 * processed / total, 1))
    elif run.status == "succeeded":
        percent = 100.0
    end = run.finished_at or run.heartbeat_at or utcnow()
    elapsed = (end - run.started_at).total_seconds() if run.started_at else 0.0
    active = run.status in ACTIVE
    if active and cursor is None:
        integration = db.session.get(Integration, run.integration_id)
        cursor = (integration.sync_cursor if integration is not None else None) or {}
    cursor = cursor if cursor and cursor.get("run_id") == run.id else {}
    if active:
        rate = _pace(cursor.get("pace"), run.heartbeat_at)
    else:
        rate = round(processed / elapsed, 1) if elapsed > 0 and processed else None
    eta = None
    if active and rate and total and total > processed:
        eta = round((total - processed) / rate)
    return {"processed": processed, "total": total, "percent": percent, "rate": rate, "eta_seconds": eta,
            "elapsed_seconds": round(elapsed, 1), "phase": phase(run, cursor)}  # fmt: skip


def _pace(pace: dict | None, latest) -> float | None:
    """Items per second since the run's first committed page (`lifecycle.save_progress` keeps the sample)."""
    if not pace or not pace.get("count") or latest is None:
        return None
    since = parse_time(pace.get("since"))
    seconds = (latest - since).total_seconds() if since else 0.0
    if seconds < PACE_MIN_SECONDS:
        return None
    return round(pace["count"] / seconds, 1)


def phase(run: SyncRun, cursor: dict) -> str | None:
    """What an active run is doing, in the merchant's words (None once it is finished)."""
    if run.status == "queued":
        return "waiting for a worker"
    if run.status != "in_progress":
        return None
    if cursor.get("phase") == "waiting":
        return "Shopify is preparing the export"
    if cursor.get("phase") == "importing":
        return "importing Shopify's export"
    if run.total is None:
        return "counting"
    return "reading orders" if run.kind == "orders" else "reading products"


def unit(run: SyncRun) -> str:
    return "orders" if run.kind == "orders" else "products"


def view(run: SyncRun | None) -> dict:
    """The context of the progress fragment (`templates/sync/_progress.html`) for `run` (None: never synced).
    A finished full run carries the orders run that followed it (`then`), shown (and polled) inside it."""
    if run is None:
        return {"run": None, "p": None, "active": False, "unit": "products", "then": None}
    then = None
    if run.kind == "full" and run.status == "succeeded":
        following = _next_run(run)
        if following is not None and following.kind == "orders":
            then = view(following)
    return {"run": run, "p": progress(run), "active": run.status in ACTIVE, "unit": unit(run), "then": then}


def card_run(integration_id: int) -> SyncRun | None:
    """The run an integration's card shows: its latest, except that the orders run a full sync queued as it
    finished is shown inside that full run (the catalog's summary stays on the card)."""
    latest, previous = (db.session.scalars(
        select(SyncRun).where(SyncRun.integration_id == integration_id).order_by(SyncRun.id.desc()).limit(2)
    ).all() + [None, None])[:2]  # fmt: skip
    followed = latest is not None and previous is not None and latest.kind == "orders"
    if followed and previous.kind == "full" and previous.status == "succeeded" and previous.finished_at:
        return previous if latest.created_at >= previous.finished_at else latest
    return latest


def _next_run(run: SyncRun) -> SyncRun | None:
    return db.session.scalars(
        select(SyncRun).where(SyncRun.integration_id == run.integration_id, SyncRun.id > run.id)
        .order_by(SyncRun.id).limit(1)
    ).first()  # fmt: skip


def serialize_run(run: SyncRun) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": run.id,
        "integration_id": run.integration_id,
        "kind": run.kind,
        "status": run.status,
        "active": run.status in ACTIVE,
        "counts": {
            "processed": run.processed or 0,
            "created": run.created or 0,
            "updated": run.updated or 0,
            "skipped": run.skipped or 0,
            "deleted": run.deleted or 0,
            "failed": run.failed or 0,
        },  # fmt: skip
        **{k: v for k, v in progress(run).items() if k not in ("processed",)},
        "error": run.error,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
    }


def format_eta(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"
