"""Handlers for Shopify's collection topics: `collections/create`, `collections/update`, `collections/delete`.

A collection's REST body names no products (custom or smart alike), so create and update do not write from
the body: once the delivery is committed they enqueue `sync.refresh_collection`, which reads the collection
whole by GraphQL (title, handle, kind, every product in order) through the sync's own writer. A delete removes
the collection and its product links at once. Must not call Shopify.
"""

from __future__ import annotations

import logging
from functools import partial

from app.queues import QueueUnavailable, enqueue, safe_retry
from app.sync.collections import delete_collection
from app.sync.mapping import gid
from app.webhooks.delivery import Delivery

log = logging.getLogger(__name__)


def _collection_gid(body: dict) -> str:
    return body.get("admin_graphql_api_id") or gid("Collection", body["id"])


def collection_upsert(d: Delivery) -> None:
    collection_gid = _collection_gid(d.body)
    for integration in d.targets():
        d.after_commit.append(partial(_enqueue_refresh, integration.id, collection_gid))
        d.log(integration.workspace_id, "collection", collection_gid, "update", integration_id=integration.id)


def collection_delete(d: Delivery) -> None:
    collection_gid = _collection_gid(d.body)
    for integration in d.targets():
        gone = delete_collection(integration.workspace_id, integration.id, collection_gid)
        d.log(integration.workspace_id, "collection", collection_gid, "delete" if gone else "skip",
              integration_id=integration.id, error=None if gone else "Not held (or already deleted).")  # fmt: skip


def _enqueue_refresh(integration_id: int, collection_gid: str) -> None:
    try:
        enqueue("sync.refresh_collection", integration_id, collection_gid, retry=safe_retry())
    except QueueUnavailable:
        log.warning(
            "integration %s: collection %s not re-read (queue unavailable)", integration_id, collection_gid
        )
