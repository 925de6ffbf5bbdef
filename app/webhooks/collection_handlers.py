"""Handlers for Shopify's collection topics: `collections/create`, `collections/update`, `collections/delete`.

A collection's REST body names no products (custom or smart alike), so create and update do not write from
the body: once the delivery is committed they enqueue `sync.refresh_collection`, which reads the collection
whole by GraphQL (title, handle, kind, every product in order) through the sync's own writer. A delete removes
the collection and its product links at once. Must not call Shopify.
"""

from __future__ import annotations

from app.queues import enqueue, safe_retry
from app.sync.collections import delete_collection
from app.sync.mapping import gid
from app.webhooks.reread_topics import reread_handlers


def _collection_gid(body: dict) -> str:
    return body.get("admin_graphql_api_id") or gid("Collection", body["id"])


def _read(integration_id: int, collection_gid: str) -> None:
    enqueue("sync.refresh_collection", integration_id, collection_gid, retry=safe_retry())


collection_upsert, collection_delete = reread_handlers(
    "collection", _collection_gid, _read, delete_collection
)
