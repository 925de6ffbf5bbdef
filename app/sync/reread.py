"""Products written from a partial webhook body, read again from Shopify once that write is committed.

A products/update REST body may lack what the rows need (the media, or variants past those it lists). The
writer stores what the body has and calls `after_commit`; when the transaction commits, one refresh job per
workspace (`app.sync.refresh.refresh_products`, GraphQL, every connection paged) is enqueued for them. A
rolled-back write asks for nothing. Never calls Shopify itself, and never blocks the write on Redis.
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
KEY = "wagents.reread"


def after_commit(session: Session, workspace_id: int, product_ids: list[int]) -> None:
    if product_ids:
        session.info.setdefault(KEY, {}).setdefault(workspace_id, set()).update(product_ids)


@event.listens_for(Session, "after_commit")
def _enqueue(session: Session) -> None:
    pending = session.info.pop(KEY, None)
    if not pending:
        return
    from app.queues import QueueUnavailable, enqueue, safe_retry

    for workspace_id, ids in pending.items():
        try:
            enqueue("sync.refresh_products", workspace_id, sorted(ids), retry=safe_retry())
        except QueueUnavailable:
            log.warning(
                "workspace %s: products %s not re-read (queue unavailable)", workspace_id, sorted(ids)
            )


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outer transaction: nothing it wrote stands
        session.info.pop(KEY, None)
