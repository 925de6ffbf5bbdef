"""Handlers for a Shopify topic whose REST body lacks what our rows need (collections name no products,
locations do not say whether they fulfil online orders): create and update write nothing from the body but,
once the delivery is committed, enqueue a job that reads the resource whole by GraphQL through the sync's own
writer; delete removes the rows at once. Must not call Shopify.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from app.queues import QueueUnavailable
from app.webhooks.delivery import Delivery

log = logging.getLogger(__name__)


def after_commit_read(read: Callable[[int, str], None], integration_id: int, gid: str) -> None:
    """`read(integration_id, gid)` (which enqueues the read job), once the delivery is committed; a queue
    that cannot be reached is logged, and the next full sync reads the resource instead."""
    try:
        read(integration_id, gid)
    except QueueUnavailable:
        log.warning("integration %s: %s not read (queue unavailable)", integration_id, gid)


def reread_handlers(
    kind: str,
    gid_of: Callable[[dict], str],
    read: Callable[[int, str], None],
    delete_rows: Callable[[int, int, str], bool],
) -> tuple[Callable[[Delivery], None], Callable[[Delivery], None]]:
    """(upsert, delete) handlers for `kind`, whose id `gid_of(body)` gives, re-read by `read`."""

    def upsert(d: Delivery) -> None:
        gid = gid_of(d.body)
        for integration in d.targets():
            d.after_commit.append(partial(after_commit_read, read, integration.id, gid))
            d.log(integration.workspace_id, kind, gid, "update", integration_id=integration.id)

    def delete(d: Delivery) -> None:
        gid = gid_of(d.body)
        for integration in d.targets():
            gone = delete_rows(integration.workspace_id, integration.id, gid)
            d.log(integration.workspace_id, kind, gid, "delete" if gone else "skip",
                  integration_id=integration.id, error=None if gone else "Not held (or already deleted).")  # fmt: skip

    return upsert, delete
