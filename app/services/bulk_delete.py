"""Bulk delete's safety: the confirmation it waits for, and its undo.

Delete on the Products page hides the products here (soft delete: lists, the agent, the feeds and the API
stop showing them); a Shopify product stays in Shopify, and "Re-sync from Shopify" brings it back. Nothing
is deleted in Shopify: that is not undoable, and the shop is the merchant's source of truth.

`preview` counts what a confirmation dialog states. The bulk job calls `remember` with each chunk's rows
before hiding them (their previous `updated_at`), and `undo` puts them back exactly as they were, for
`UNDO_SECONDS` after the job finished. Must not read the request or render anything.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Product
from app.models.scoping import WorkspaceScope
from app.queues import get_redis

UNDO_SECONDS = 600
TTL_SECONDS = 24 * 3600


class UndoError(ValueError):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


def _key(token: str) -> str:
    return f"wagents:bulk:{token}:undo"


def preview(scope: WorkspaceScope, ids: list[int]) -> dict:
    """{"total": live products selected, "shopify": how many of them come from Shopify}."""
    total, shopify = db.session.execute(
        select(func.count(Product.id), func.count(Product.shopify_product_id)).where(
            Product.workspace_id == scope.workspace_id, Product.id.in_(ids), Product.deleted_at.is_(None)
        )
    ).one()
    return {"total": total, "shopify": shopify}


def remember(token: str, rows) -> None:
    """Keep (id, previous updated_at) of rows about to be hidden by bulk job `token`."""
    if not rows:
        return
    redis = get_redis()
    redis.rpush(_key(token), *[json.dumps([pid, when.isoformat() if when else None]) for pid, when in rows])
    redis.expire(_key(token), TTL_SECONDS)


def undoable(progress: dict) -> bool:
    finished_at = float(progress.get("finished_at") or 0)
    return (
        progress.get("action") == "delete"
        and progress.get("status") == "done"
        and (time.time() < finished_at + UNDO_SECONDS)
    )


def undo(scope: WorkspaceScope, progress: dict) -> int:
    """Show again the products bulk delete `progress` hid (those still hidden), with their previous
    `updated_at`; returns how many. UndoError when it is not a finished delete or too late."""
    if progress.get("action") != "delete" or progress.get("status") != "done":
        raise UndoError("There is no finished delete to undo here.")
    if not undoable(progress):
        raise UndoError(f"Undo is available for {UNDO_SECONDS // 60} minutes after a delete; it has passed.")
    redis = get_redis()
    entries = [json.loads(e) for e in redis.lrange(_key(progress["id"]), 0, -1)]
    previous = {int(pid): datetime.fromisoformat(when) if when else None for pid, when in entries}
    restored = 0
    ids = sorted(previous)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        hidden = db.session.scalars(
            select(Product.id).where(
                Product.workspace_id == scope.workspace_id,
                Product.id.in_(chunk),
                Product.deleted_at.is_not(None),
            )  # fmt: skip
        ).all()
        for pid in hidden:
            db.session.execute(
                update(Product).where(Product.id == pid).values(deleted_at=None, updated_at=previous[pid])
            )
        restored += len(hidden)
    db.session.commit()
    redis.delete(_key(progress["id"]))
    noun = "product" if restored == 1 else "products"
    redis.hset(
        f"wagents:bulk:{progress['id']}",
        mapping={"status": "undone", "message": f"Restored {restored} {noun}."},
    )
    return restored
