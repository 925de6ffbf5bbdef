"""What a sync run looks like to a merchant: percent, rate, ETA, a summary. Pure reads, no writes.

Used by the JSON API (`serialize_run`) and the dashboard's progress fragment, so both say the same thing.
"""

from __future__ import annotations

from app.models import SyncRun
from app.models.types import utcnow

ACTIVE = ("queued", "in_progress")


def progress(run: SyncRun) -> dict:
    """processed/total, percent (None while the total is unknown), products per second and ETA seconds."""
    processed = run.processed or 0
    total = run.total
    percent = None
    if total:
        percent = 100.0 if run.status == "succeeded" else min(100.0, round(100.0 * processed / total, 1))
    elif run.status == "succeeded":
        percent = 100.0
    end = run.finished_at or run.heartbeat_at or utcnow()
    elapsed = (end - run.started_at).total_seconds() if run.started_at else 0.0
    rate = round(processed / elapsed, 1) if elapsed > 0 and processed else None
    eta = None
    if run.status in ACTIVE and rate and total and total > processed:
        eta = round((total - processed) / rate)
    return {"processed": processed, "total": total, "percent": percent, "rate": rate, "eta_seconds": eta,
            "elapsed_seconds": round(elapsed, 1)}  # fmt: skip


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
