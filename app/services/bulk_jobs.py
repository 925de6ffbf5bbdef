"""Bulk actions on a selection of products (delete, change status, push to Facebook, re-sync from Shopify),
run as an RQ job on the `default` queue with progress kept in Redis for the page to poll.

`start_bulk` validates and enqueues; `run_bulk_action` (the job: plain values, safe to run twice) works through
the ids in chunks, one transaction and one progress update per chunk. Pushing to Facebook and re-reading from
Shopify are the sync area's (`sync.push_facebook` is queued; the re-read runs in this job through
`app.sync.refresh`, so the progress reports its real outcome: updated, restored, unchanged). Delete hides
(see `bulk_delete`: the confirmation and the undo). Answers `BulkUnavailable` (503) when the queue is not
reachable. Must not call outside platforms itself.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from sqlalchemy import select, update

from app.catalog.listing import STATUSES
from app.extensions import db
from app.models import Integration, Product
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.problems import AppError
from app.queues import QueueUnavailable, enqueue, get_redis, safe_retry
from app.services import bulk_delete, shopify_edits
from app.sync.refresh import refresh_products

log = logging.getLogger(__name__)

ACTIONS = {
    "delete": "Delete",
    "status": "Change status",
    "push_facebook": "Push to Facebook",
    "resync_shopify": "Re-sync from Shopify",
}
MAX_SELECTION = 10_000
CHUNK = 200
TTL_SECONDS = 24 * 3600


class BulkError(AppError, ValueError):
    status = 422

    def __init__(self, message: str, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class BulkUnavailable(BulkError):
    status = 503


def _key(token: str) -> str:
    return f"wagents:bulk:{token}"


MAX_ID = 2**31 - 1  # primary keys are INTEGER


def parse_ids(raw) -> list[int]:
    ids = []
    for value in raw or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise BulkError(
                "Product ids must be numbers.", {"ids": "Must be a list of product ids."}
            ) from None
        if 0 < number <= MAX_ID:  # no row has an id outside INTEGER: such an id selects nothing
            ids.append(number)
    return list(dict.fromkeys(ids))


def start_bulk(scope: WorkspaceScope, action: str, product_ids: list[int], status: str | None = None) -> dict:
    """Check the request, keep the workspace's live products among `product_ids`, enqueue the job."""
    if action not in ACTIONS:
        raise BulkError("Choose a bulk action.", {"action": f"Must be one of: {', '.join(ACTIONS)}."})
    if action == "status" and status not in STATUSES:
        raise BulkError("Choose the new status.", {"status": f"Must be one of: {', '.join(STATUSES)}."})
    if not product_ids:
        raise BulkError("Select at least one product.", {"ids": "Select at least one product."})
    if len(product_ids) > MAX_SELECTION:
        raise BulkError(f"Select at most {MAX_SELECTION} products at a time.", {"ids": "Too many products."})
    if action == "push_facebook" and not _facebook_connected(scope.workspace_id):
        raise BulkError(
            "Connect a Facebook catalog first (Integrations page).", {"action": "No Facebook catalog."}
        )
    ids = list(
        db.session.scalars(
            select(Product.id).where(
                Product.workspace_id == scope.workspace_id,
                Product.id.in_(product_ids),
                # A re-sync also brings back products hidden here that Shopify still has.
                Product.shopify_product_id.is_not(None)
                if action == "resync_shopify"
                else Product.deleted_at.is_(None),
            )
        )
    )
    if not ids:
        raise BulkError("None of the selected products exist any more.", {"ids": "Unknown products."})
    token = uuid.uuid4().hex
    progress = {"id": token, "workspace_id": scope.workspace_id, "action": action, "status": "queued",
                "total": len(ids), "done": 0, "message": "", "new_status": status or ""}  # fmt: skip
    redis = get_redis()
    try:
        redis.hset(_key(token), mapping={k: str(v) for k, v in progress.items()})
        redis.expire(_key(token), TTL_SECONDS)
        enqueue("products.bulk_action", token, scope.workspace_id, action, sorted(ids), status,
                job_id=f"bulk-{token}", job_timeout=_timeout(action, len(ids)))  # fmt: skip
    except (QueueUnavailable, OSError) as exc:
        log.warning("bulk %s could not be queued: %s", action, exc)
        raise BulkUnavailable("The job queue is not reachable right now. Try again in a minute.") from exc
    return progress


def _timeout(action: str, count: int) -> int:
    """Seconds the job may run: a re-sync reads each product from Shopify (well under a second each)."""
    return 1800 + (2 * count if action == "resync_shopify" else 0)


def get_progress(scope: WorkspaceScope, token: str) -> dict | None:
    """The job's progress, or None if unknown, expired or another workspace's."""
    raw = get_redis().hgetall(_key(token)) if token.isalnum() else {}
    data = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()}  # fmt: skip
    if not data or data.get("workspace_id") != str(scope.workspace_id):
        return None
    for name in ("total", "done", "workspace_id"):
        data[name] = int(data.get(name) or 0)
    data["percent"] = int(100 * data["done"] / data["total"]) if data["total"] else 100
    data["finished"] = data["status"] in ("done", "failed", "undone")
    data["label"] = ACTIONS.get(data["action"], data["action"])
    data["undoable"] = bulk_delete.undoable(data)
    return data


def run_bulk_action(token: str, workspace_id: int, action: str, product_ids: list[int], status=None) -> dict:
    """The job. Each chunk is one transaction and one progress step; running it again changes nothing more."""
    redis = get_redis()
    redis.hset(_key(token), mapping={"status": "running", "done": "0"})
    done = 0
    counts: dict[str, int] = {}
    try:
        for start in range(0, len(product_ids), CHUNK):
            chunk = product_ids[start : start + CHUNK]
            for name, n in (_apply(token, workspace_id, action, chunk, status) or {}).items():
                counts[name] = counts.get(name, 0) + n
            done += len(chunk)
            redis.hset(_key(token), mapping={"done": str(done), "counts": json.dumps(counts)})
    except Exception as exc:
        db.session.rollback()
        log.exception("bulk %s %s failed after %s products", action, token, done)
        redis.hset(
            _key(token), mapping={"status": "failed", "message": f"Stopped after {done} products: {exc}"}
        )
        raise
    message = _summary(action, done, status, counts)
    redis.hset(_key(token), mapping={"status": "done", "message": message, "finished_at": str(time.time())})
    log.info("bulk %s %s: %s", action, token, message)
    return {"action": action, "done": done, **counts}


def _apply(token: str, workspace_id: int, action: str, ids: list[int], status: str | None) -> dict | None:
    mine = (Product.workspace_id == workspace_id, Product.id.in_(ids), Product.deleted_at.is_(None))
    now = utcnow()
    if action == "resync_shopify":  # one product read at a time, one commit each; safe to run again
        return refresh_products(workspace_id, ids)
    if action == "delete":
        rows = db.session.execute(select(Product.id, Product.updated_at).where(*mine)).all()
        bulk_delete.remember(token, rows)  # before hiding: an undo can always find what this chunk hid
        hidden = [pid for pid, _ in rows]
        db.session.execute(
            update(Product).where(Product.id.in_(hidden)).values(deleted_at=now, updated_at=now)
        )
    elif action == "status":
        db.session.execute(update(Product).where(*mine).values(status=status, updated_at=now))
        pushes = _status_edits(ids, status)
        db.session.commit()
        for product_id in pushes:  # a Shopify product's new status goes to Shopify too
            shopify_edits.queue_push(product_id)
    elif action == "push_facebook":
        _mark_facebook_pending(workspace_id, ids, now)
        db.session.commit()  # pending is visible before the push job can record its outcome
        enqueue("sync.push_facebook", workspace_id, ids, retry=safe_retry())
    db.session.commit()
    return None


def _status_edits(ids: list[int], status: str) -> list[int]:
    stmt = select(Product).where(Product.id.in_(ids), Product.shopify_product_id.is_not(None),
                                 Product.deleted_at.is_(None)).execution_options(populate_existing=True)  # fmt: skip
    return [p.id for p in db.session.scalars(stmt) if shopify_edits.record_edit(p, {"status": status})]


def _mark_facebook_pending(workspace_id: int, ids: list[int], now) -> None:
    rows = db.session.execute(
        select(Product.id, Product.platform_sync).where(
            Product.workspace_id == workspace_id, Product.id.in_(ids)
        )
    ).all()
    state = {"status": "pending", "queued_at": now.isoformat()}
    changes = [{"id": pid, "platform_sync": {**(ps or {}), "facebook": state}} for pid, ps in rows]
    if changes:
        db.session.execute(update(Product), changes)


def _facebook_connected(workspace_id: int) -> bool:
    return (
        db.session.scalar(
            select(Integration.id).where(
                Integration.workspace_id == workspace_id,
                Integration.platform == "facebook",
                Integration.status == "connected",
            )
        )
        is not None
    )


def _summary(action: str, done: int, status: str | None, counts: dict) -> str:
    noun = "product" if done == 1 else "products"
    if action == "resync_shopify":
        parts = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        return f"Re-read {done} {noun} from Shopify: {parts or 'nothing to do'}."
    return {
        "delete": f"Deleted {done} {noun} here. Shopify keeps its own: Re-sync from Shopify brings them back.",
        "status": f"Set {done} {noun} to {status}.",
        "push_facebook": f"Queued {done} {noun} for the Facebook catalog.",
    }[action]
