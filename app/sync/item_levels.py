"""Levels an inventory webhook brought, read whole from Shopify: on hand and committed as well as available.

`inventory_levels/update` carries `available` alone, so a level first known from a webhook (a new variant, a
store whose stock was never synced) would count nothing committed to orders. `note_new_levels` remembers the
item in a Redis set and enqueues one `sync.read_item_levels` job per store (a flag stops a second while one
is pending); the job takes the items in chunks of `ITEMS_FIRST` and writes each level (newest wins, as every
level write) through `app.inventory.locations`. A location we do not hold yet becomes a row (the webhook's
own read fills it in). Reads Shopify only through the client.
"""

from __future__ import annotations

import logging

from app.extensions import db
from app.integrations.clients import shopify_client
from app.inventory.levels import lock_variants, stock_transaction, variant_ids_for_item
from app.inventory.locations import refresh_on_hand, upsert_location, write_level
from app.models import Integration
from app.platforms.shopify import queries
from app.queues import QueueUnavailable, enqueue, get_redis, safe_retry
from app.sync.locations import quantities
from app.sync.mapping import parse_time

log = logging.getLogger(__name__)
# 25 items with up to 10 levels each stay under the 1,000-point single-query cap (see the test pricing it).
ITEMS_FIRST = 25
LEVELS_FIRST = 10


def _keys(integration_id: int) -> tuple[str, str]:
    return f"wagents:item-levels:{integration_id}", f"wagents:item-levels:{integration_id}:queued"


def note_new_levels(integration_id: int, item_gids: list[str]) -> None:
    """Called after the delivery's commit: ask for these items' levels to be read (once, however many ask)."""
    if not item_gids:
        return
    pending, queued = _keys(integration_id)
    try:
        redis = get_redis()
        redis.sadd(pending, *item_gids)
        if redis.set(queued, "1", nx=True, ex=3600):
            enqueue("sync.read_item_levels", integration_id, retry=safe_retry())
    except QueueUnavailable:
        log.warning("integration %s: levels of %s not read (queue unavailable)", integration_id, item_gids)
    except Exception:  # Redis down: the next full sync reads every level anyway
        log.warning("integration %s: levels of %s not read", integration_id, item_gids, exc_info=True)


def read_item_levels(integration_id: int) -> int:
    """The job: read the levels of every item waiting in the store's set; returns how many items it read."""
    pending, queued = _keys(integration_id)
    redis = get_redis()
    redis.delete(queued)  # an item noted from now on queues a job of its own
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.status != "connected":
        redis.delete(pending)
        return 0
    client = shopify_client(integration)
    db.session.rollback()
    read = 0
    while True:
        items = [i.decode() if isinstance(i, bytes) else i for i in redis.spop(pending, ITEMS_FIRST) or []]
        if not items:
            return read
        try:
            variables = {"ids": items, "levelsFirst": LEVELS_FIRST}
            nodes = client.execute(queries.ITEM_LEVELS_QUERY, variables).get("nodes") or []
            _write_items(integration.workspace_id, integration_id, [n for n in nodes if n and n.get("id")])
        except Exception:
            redis.sadd(pending, *items)  # kept for the job's retry (or the next note)
            raise
        read += len(items)


def _write_items(workspace_id: int, integration_id: int, nodes: list[dict]) -> None:
    """One stock transaction for a chunk of items: their variants locked together, in id order."""
    by_item = {node["id"]: variant_ids_for_item(workspace_id, node["id"]) for node in nodes}
    with stock_transaction():
        locked = lock_variants(workspace_id, {v for ids in by_item.values() for v in ids})
        if not locked:
            return
        for node in nodes:
            variants = [locked[v] for v in by_item[node["id"]] if v in locked]
            for level in (node.get("inventoryLevels") or {}).get("nodes") or []:
                location_id = (level.get("location") or {}).get("id")
                if not location_id or not variants:
                    continue
                location = upsert_location(workspace_id, integration_id, location_id)
                figures = quantities(level)
                for variant in variants:
                    write_level(variant, location, available=figures.get("available", 0),
                                on_hand=figures.get("on_hand"), committed=figures.get("committed", 0),
                                updated_at=parse_time(level.get("updatedAt")))  # fmt: skip
        refresh_on_hand(workspace_id, set(locked))
