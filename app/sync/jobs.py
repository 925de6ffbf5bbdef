"""RQ job functions of the sync area. They take ids, load what they need, do one thing, and are safe to
run twice: a sync job resumes its run from the cursor (or leaves when another live job holds it, or when
the run is finished); a catalog push re-sends the same upserts. Enqueued with `Retry(max=3, [1, 2, 4])`.

The top of the sync area: jobs import `runner`, `service` and `facebook_push`, and nothing in the sync area
imports jobs (they are enqueued by name).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import Integration
from app.sync.facebook_push import push_catalog_to_facebook  # jobs queued before the move name it here
from app.sync.runner import execute_run
from app.sync.service import SyncError, enqueue_follow_up, start_sync

log = logging.getLogger(__name__)

__all__ = ["nightly_full_sync", "push_catalog_to_facebook", "start_scheduled_syncs", "sync_integration"]


def sync_integration(integration_id: int, run_id: int) -> str:
    try:
        return execute_run(run_id, then_orders=True)  # a full sync brings the orders too
    finally:
        # The orders run is queued as the catalog finishes, before its collections and locations: if those
        # fail (RQ retries them), the orders run still gets its job now, never left "queued" with none,
        # which would refuse every later sync of the store. Idempotent: only a run without a job is enqueued.
        enqueue_follow_up(run_id)


def start_scheduled_syncs(kind: str = "incremental") -> dict[str, int]:
    """Hourly (incremental) and nightly (full): a run for every connected Shopify store not already busy."""
    started = skipped = 0
    ids = db.session.scalars(
        select(Integration.id).where(Integration.platform == "shopify", Integration.status == "connected")
    ).all()
    for integration_id in ids:
        try:
            start_sync(db.session.get(Integration, integration_id), kind)
            started += 1
        except SyncError as exc:
            skipped += 1
            log.info("scheduled %s sync of integration %s skipped: %s", kind, integration_id, exc.message)
    return {"started": started, "skipped": skipped}


def nightly_full_sync() -> dict[str, int]:
    return start_scheduled_syncs("full")
