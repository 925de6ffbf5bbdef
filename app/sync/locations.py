"""A store's locations and every variant's stock at each of them, read after a full catalog sync.

Paged by cursor: `LOCATIONS_PAGE_QUERY` (every location, inactive ones included) with each location's first
levels, then `LOCATION_LEVELS_PAGE_QUERY` for a location holding more: nothing is cut short. Levels are
matched to the workspace's variants by inventory item; a level Shopify no longer lists, and a location it no
longer has, are deleted. Each touched variant's on hand is then set by the stock rule
(`app.inventory.locations.refresh_on_hand`). A location's levels are streamed, one commit per `LEVELS_BATCH`
of them (a shop of 100,000 products has 300,000 at one location). Reads Shopify only through
the client; never changes the merchant's choice of locations to sell from. `refresh_location` (a job) reads
one location the same way, when a webhook names one we do not hold or says a location changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from sqlalchemy import delete, or_, select

from app.extensions import db
from app.id_chunks import chunks
from app.integrations.clients import shopify_client
from app.inventory.levels import lock_variant_ids, lock_variants, stock_transaction
from app.inventory.locations import on_hand_of, refresh_on_hand, upsert_location
from app.models import Integration, Location, ProductVariant, VariantLocationStock
from app.models.types import utcnow
from app.platforms.shopify import queries
from app.sync.connections import more_after, read_rest
from app.sync.mapping import parse_time
from app.sync.upsert_sql import write_rows

log = logging.getLogger(__name__)
# 2 locations with their first 100 levels (3 quantities each) cost 608 points, under the single-query cap of
# 1,000 (5 would ask 1,517 and be refused before it is sent); a location holding more is read on by cursor.
LOCATIONS_FIRST = 2
LEVELS_FIRST = 100


def quantities(level: dict) -> dict[str, int]:
    return {q["name"]: int(q.get("quantity") or 0) for q in level.get("quantities") or []}


def _levels(client, node: dict) -> Iterator[dict]:
    """A location's levels: the page's first ones, then the rest by cursor, read as they are used."""
    connection = node.get("inventoryLevels")
    yield from (connection or {}).get("nodes") or []
    yield from read_rest(
        client,
        queries.LOCATION_LEVELS_PAGE_QUERY,
        "location",
        "inventoryLevels",
        node["id"],
        more_after(connection),
    )


def sync_locations(client, workspace_id: int, integration_id: int) -> dict:
    """Read every location of the store and its levels; returns `{locations, levels}` counts."""
    seen_locations: set[int] = set()
    levels = 0
    after = None
    while True:
        variables = {"first": LOCATIONS_FIRST, "after": after, "levelsFirst": LEVELS_FIRST}
        connection = client.execute(queries.LOCATIONS_PAGE_QUERY, variables).get("locations") or {}
        for node in connection.get("nodes") or []:
            location_id, listed = write_location(workspace_id, integration_id, node, _levels(client, node))
            seen_locations.add(location_id)
            levels += listed
        after = more_after(connection)
        if not after:
            break
    remove_missing_locations(workspace_id, integration_id, seen_locations)
    log.info("integration %s: %s locations, %s levels synced", integration_id, len(seen_locations), levels)
    return {"locations": len(seen_locations), "levels": levels}


def remove_missing_locations(workspace_id: int, integration_id: int, seen_locations: set[int]) -> None:
    """Delete the integration's locations a whole read did not list (their stock rows go with them), and
    re-derive the on hand of the variants that had stock there."""
    with stock_transaction():
        gone = db.session.scalars(
            select(VariantLocationStock.variant_id)
            .join(Location, Location.id == VariantLocationStock.location_id)
            .where(Location.integration_id == integration_id, Location.id.not_in(seen_locations or {0}))
        ).all()
        db.session.execute(
            delete(Location).where(
                Location.integration_id == integration_id, Location.id.not_in(seen_locations or {0})
            )
        )
        lock_variants(workspace_id, gone)
        refresh_on_hand(workspace_id, gone)


def refresh_location(integration_id: int, location_gid: str) -> str:
    """The job: read one location of the store and all its levels, and write them (a location the store no
    longer has is deleted). Returns "updated", "deleted" or "skipped" (the store is not connected any more)."""
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.status != "connected":
        return "skipped"
    workspace_id = integration.workspace_id
    client = shopify_client(integration)
    db.session.rollback()  # no transaction held open while Shopify answers
    variables = {"id": location_gid, "levelsFirst": LEVELS_FIRST}
    node = client.execute(queries.LOCATION_BY_ID_QUERY, variables).get("location")
    if node is None:
        delete_location(workspace_id, integration_id, location_gid)
        return "deleted"
    write_location(workspace_id, integration_id, node, _levels(client, node))
    return "updated"


def delete_location(workspace_id: int, integration_id: int, location_gid: str) -> int:
    """Remove a location the store no longer has, with its levels; the variants stocked there are summed
    again. Commits (a stock transaction)."""
    with stock_transaction():
        ids = db.session.scalars(
            select(Location.id).where(
                Location.integration_id == integration_id, Location.shopify_location_id == location_gid
            )
        ).all()
        if not ids:
            return 0
        variants = db.session.scalars(
            select(VariantLocationStock.variant_id).where(VariantLocationStock.location_id.in_(ids))
        ).all()
        lock_variants(workspace_id, variants)
        db.session.execute(delete(Location).where(Location.id.in_(ids)))
        refresh_on_hand(workspace_id, variants)
    return len(ids)


_ITEM = "gid://shopify/InventoryItem/"
LEVELS_BATCH = 5_000  # levels per statement: a location's 300,000 are written a batch at a time


def _item_key(gid: str) -> int | str:
    # The number alone (28 bytes, not a 90-byte string): a location of 300,000 items is held as small tuples.
    return int(gid[len(_ITEM) :]) if gid.startswith(_ITEM) and gid[len(_ITEM) :].isdigit() else gid


def _item_gid(key: int | str) -> str:
    return f"{_ITEM}{key}" if isinstance(key, int) else key


def _figures(level: dict) -> tuple[int | str, tuple] | None:
    """A level node as (item, (available, committed, on hand or None, updatedAt)): what the writer needs."""
    item = (level.get("item") or {}).get("id")
    if item is None:
        return None
    q = quantities(level)
    return _item_key(item), (q.get("available", 0), q.get("committed", 0), q.get("on_hand"),
                             parse_time(level.get("updatedAt")))  # fmt: skip


def write_location(
    workspace_id: int, integration_id: int, node: dict, levels: Iterable[dict]
) -> tuple[int, int]:
    """Store one location and all its levels (the whole list Shopify has for it); returns (location row id,
    levels Shopify listed there). `levels` may be a stream (a paged read asks Shopify as it is read, a bulk
    file is read line by line): it is written `LEVELS_BATCH` levels per stock transaction, each locking its
    variants in id order, so a location of a 100,000-product shop's 300,000 levels is never held at once and
    no transaction stays open while Shopify answers. The levels the location no longer lists go last."""
    with stock_transaction():
        location = upsert_location(
            workspace_id, integration_id, node["id"], name=node.get("name") or "",
            active=bool(node.get("isActive")), fulfills_online_orders=bool(node.get("fulfillsOnlineOrders")),
        )  # fmt: skip
        location_id = location.id
        stale = set(
            db.session.scalars(
                select(VariantLocationStock.variant_id).where(VariantLocationStock.location_id == location_id)
            )
        )
    written: set[int] = set()
    listed = 0
    for batch in chunks(filter(None, map(_figures, levels)), LEVELS_BATCH):
        listed += len(batch)
        written |= _write_batch(workspace_id, location_id, dict(batch))
    gone = sorted(stale - written)
    if gone:
        with stock_transaction():
            locked = lock_variant_ids(workspace_id, gone)
            for ids in chunks(gone):
                db.session.execute(
                    delete(VariantLocationStock).where(
                        VariantLocationStock.location_id == location_id,
                        VariantLocationStock.variant_id.in_(ids),
                    )
                )
            refresh_on_hand(workspace_id, locked)
    return location_id, listed


def _write_batch(workspace_id: int, location_id: int, figures: dict[int | str, tuple]) -> set[int]:
    """One batch of levels in one stock transaction: the variants they name locked in id order, the levels
    written, those variants' on hand set by the stock rule. Returns the variants written."""
    with stock_transaction():
        item_of = {
            variant_id: _item_key(gid)
            for variant_id, gid in db.session.execute(
                select(ProductVariant.id, ProductVariant.inventory_item_id).where(
                    ProductVariant.workspace_id == workspace_id,
                    ProductVariant.inventory_item_id.in_([_item_gid(i) for i in figures]),
                )
            )
        }
        locked = sorted(lock_variant_ids(workspace_id, item_of))
        _write_levels(workspace_id, location_id, [(v, figures[item_of[v]]) for v in locked])
        refresh_on_hand(workspace_id, locked)
    return set(locked)


def _write_levels(workspace_id: int, location_id: int, figures: list[tuple[int, tuple]]) -> None:
    """Levels of one location, set-based (a location of a 2,048-variant catalog was 4,000 round trips
    one level at a time), as `write_level` stores one: Shopify's `updatedAt` kept, a level older than the
    stored one left alone, on hand by the same `on_hand_of`."""
    now = utcnow()
    rows = [
        {"variant_id": variant_id, "location_id": location_id, "workspace_id": workspace_id,
         "available": available, "committed": committed, "on_hand": on_hand_of(available, committed, on_hand),
         "source_updated_at": changed_at, "updated_at": now}
        for variant_id, (available, committed, on_hand, changed_at) in figures
    ]  # fmt: skip
    if rows:
        write_rows(VariantLocationStock.__table__, rows, conflict=("variant_id", "location_id"),
                   update=("available", "on_hand", "committed", "source_updated_at", "updated_at"),
                   where=_not_older)  # fmt: skip


def _not_older(table, excluded):
    """The incoming level is not older than the stored one (either date unknown: write it)."""
    return or_(
        table.c.source_updated_at.is_(None),
        excluded.source_updated_at.is_(None),
        table.c.source_updated_at <= excluded.source_updated_at,
    )
