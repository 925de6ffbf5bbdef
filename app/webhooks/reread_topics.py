"""Handlers for a Shopify topic whose REST body lacks what our rows need (collections name no products,
locations do not say whether they fulfil online orders): create and update write nothing from the body but,
once the delivery is committed, enqueue a job that reads the resource whole by GraphQL through the sync's own
writer; delete removes the rows at once. Must not call Shopify.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from app.queues import QueueUnavailable, enqueue, safe_retry
from app.webhooks.delivery import Delivery

log = logging.getLogger(__name__)


def enqueue_read(job: str, integration_id: int, gid: str) -> None:
    try:
        enqueue(job, integration_id, gid, retry=safe_retry())
    except QueueUnavailable:
        log.warning("integration %s: %s not read by %s (queue unavailable)", integration_id, gid, job)


def reread_handlers(
    kind: str,
    gid_of: Callable[[dict], str],
    job: str,
    delete_rows: Callable[[int, int, str], bool],
) -> tuple[Callable[[Delivery], None], Callable[[Delivery], None]]:
    """(upsert, delete) handlers for `kind`, whose id `gid_of(body)` gives, re-read by the job `job`."""

    def upsert(d: Delivery) -> None:
        gid = gid_of(d.body)
        for integration in d.targets():
            d.after_commit.append(partial(enqueue_read, job, integration.id, gid))
            d.log(integration.workspace_id, kind, gid, "update", integration_id=integration.id)

    def delete(d: Delivery) -> None:
        gid = gid_of(d.body)
        for integration in d.targets():
            gone = delete_rows(integration.workspace_id, integration.id, gid)
            d.log(integration.workspace_id, kind, gid, "delete" if gone else "skip",
                  integration_id=integration.id, error=None if gone else "Not held (or already deleted).")  # fmt: skip

    return upsert, delete
