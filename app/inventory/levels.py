"""Stock levels: the locks every stock change takes, and how Shopify's view of stock lands here.

What can still be sold follows the one stock rule of `app.catalog.stock` (re-exported here as
`stock_levels`, `available`, `available_map` for the inventory service and its callers); this module does not
compute it again. `set_inventory_level` is how Shopify's view of stock (webhooks, syncs) lands here.

Locking rule for every stock change: open `stock_transaction()`, lock the order row (if any) and then the
variant rows in id order (`lock_variants`), re-read, decide, write; the context manager commits. On Postgres the
locks are `SELECT ... FOR UPDATE`; SQLite ignores that, so a process-wide lock plus an immediate write
transaction (which SQLite serialises across processes) stand in for it. This module must not call Shopify.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, or_, select, text, update

from app.catalog.stock import StockLevel, stock_levels, workspace_id_of
from app.extensions import db
from app.id_chunks import chunks
from app.inventory.errors import VariantNotFound
from app.inventory.locations import refresh_on_hand, shopify_integration_id, upsert_location, write_level
from app.models import Integration, InventoryAdjustment, ProductVariant
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow

__all__ = ["StockLevel", "available", "available_map", "lock_variants", "set_inventory_level", "stock_levels",
           "stock_transaction", "variant_ids_for_item", "workspace_id_of"]  # fmt: skip

log = logging.getLogger(__name__)

LOCK_TIMEOUT = "10s"  # a stuck transaction makes buyers fail fast instead of piling up behind it
# RLock: a stock change may call a helper that opens the same (nested) transaction scope.
_sqlite_writer = threading.RLock()


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


@contextmanager
def stock_transaction() -> Iterator[None]:
    """One unit of stock work: commit on success, roll back on error, locks released after the commit."""
    session = db.session
    sqlite = _is_sqlite()
    if sqlite:
        _sqlite_writer.acquire()
    try:
        if sqlite:
            # A write statement makes pysqlite BEGIN and SQLite take its RESERVED lock now, not at the first
            # real write: our reads below then see the latest committed stock (other processes included).
            session.execute(text("UPDATE product_variant SET id = id WHERE 1 = 0"))
        else:
            session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if sqlite:
            _sqlite_writer.release()


def _locked(workspace_id: int, variant_ids: Iterable[int], what) -> Iterator:
    """`what` of the workspace's variants among `variant_ids`, locked in id order (chunk after chunk, so a
    location's 300,000 levels bind no more than a statement may) so two lockers never deadlock."""
    for ids in chunks(sorted({int(v) for v in variant_ids})):
        yield (
            select(what)
            .where(ProductVariant.workspace_id == workspace_id, ProductVariant.id.in_(ids))
            .order_by(ProductVariant.id)
            .with_for_update()
        )


def lock_variants(workspace_id: int, variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Lock and freshly load the workspace's variants."""
    # The session may hold these rows from before the lock; the locked values are the ones that count.
    return {
        v.id: v
        for stmt in _locked(workspace_id, variant_ids, ProductVariant)
        for v in db.session.scalars(stmt.execution_options(populate_existing=True))
    }


def lock_variant_ids(workspace_id: int, variant_ids: Iterable[int]) -> set[int]:
    """`lock_variants` without loading the rows as objects (a location may hold thousands): the same locks,
    in the same order, for a writer that needs only the ids that exist."""
    return {
        i for stmt in _locked(workspace_id, variant_ids, ProductVariant.id) for i in db.session.scalars(stmt)
    }


def available_map(scope_or_workspace_id: WorkspaceScope | int, variant_ids: Iterable[int]) -> dict[int, int]:
    """`{variant_id: available}` for the workspace's variants among `variant_ids` (unknown ids are absent)."""
    return {v: level.available for v, level in stock_levels(scope_or_workspace_id, variant_ids).items()}


def available(scope_or_workspace_id: WorkspaceScope | int, variant_id: int) -> int:
    level = stock_levels(scope_or_workspace_id, [variant_id]).get(int(variant_id))
    if level is None:
        raise VariantNotFound(variant_id)
    return level.available


def _item_id_forms(inventory_item_id: str | int) -> list[str]:
    """Webhooks send `271878346596884015`, GraphQL sends `gid://shopify/InventoryItem/271878346596884015`."""
    raw = str(inventory_item_id).strip()
    numeric = raw.rsplit("/", 1)[-1]
    return sorted({raw, numeric, f"gid://shopify/InventoryItem/{numeric}"})


def variant_ids_for_item(workspace_id: int, inventory_item_id: str | int) -> list[int]:
    """The workspace's variants stocked by this inventory item (webhook or GraphQL id form)."""
    stmt = select(ProductVariant.id).where(
        ProductVariant.workspace_id == workspace_id_of(workspace_id),
        ProductVariant.inventory_item_id.in_(_item_id_forms(inventory_item_id)),
    )
    return sorted(db.session.scalars(stmt))


def set_inventory_level(
    workspace_id: int,
    inventory_item_id: str | int,
    available: int,
    *,
    location_id: str | int | None = None,
    updated_at: datetime | None = None,
    integration_id: int | None = None,
) -> list[int]:
    """Shopify says `available` units of this item are available: store it on the matching variants.

    Reservations are not touched: they keep counting against the new quantity. Our own commits that Shopify
    has not applied yet are subtracted again, so a webhook sent before our write-back landed does not hand
    those units back to buyers. With `updated_at` (when Shopify's level changed), a level older than the one
    stored is ignored: the UPDATE itself carries the comparison, so two deliveries racing each other cannot
    both pass a check made before either writes. Returns the ids of the variants updated (none for an
    unknown item or an older level).

    With `location_id` (and a Shopify store: `integration_id`, by default the workspace's first), the level is
    that location's: it is stored per location and the variant's on hand is the stock rule's sum over the
    locations sold from (`app.inventory.locations`); an unknown location becomes a row.
    """
    workspace_id = workspace_id_of(workspace_id)
    if isinstance(available, bool) or not isinstance(available, int):
        raise ValueError(f"available must be an integer, got {available!r}")
    if updated_at is not None and updated_at.tzinfo is None:
        raise ValueError("updated_at must be timezone-aware")
    with stock_transaction():
        # Locked first, as every stock change does: the pending deltas read below are then the committed ones.
        locked = lock_variants(workspace_id, variant_ids_for_item(workspace_id, inventory_item_id))
        updated: list[int] = []
        store = integration_id or (shopify_integration_id(workspace_id) if location_id is not None else None)
        if locked and location_id is not None and store:
            updated = _write_location_level(workspace_id, store, location_id, locked, available, updated_at)
        elif locked:
            updated = _write_level(workspace_id, sorted(locked), available, updated_at)
        if location_id is not None:
            _remember_location(workspace_id, location_id)
    if updated:
        log.info(
            "inventory level set: workspace=%s item=%s available=%s variants=%s",
            workspace_id, inventory_item_id, available, updated,
        )  # fmt: skip
    elif locked:
        log.info("inventory level for item %s at %s is older than the stored one: ignored",
                 inventory_item_id, updated_at)  # fmt: skip
    return updated


def _write_location_level(
    workspace_id, integration_id, location_id, locked, available, updated_at
) -> list[int]:
    location = upsert_location(workspace_id, integration_id, location_id)
    updated = [
        v
        for v in sorted(locked)
        if write_level(locked[v], location, available=available, updated_at=updated_at)
    ]
    refresh_on_hand(workspace_id, updated)
    for variant_id in updated:
        variant = locked[variant_id]
        if updated_at is not None and (
            variant.inventory_updated_at is None or variant.inventory_updated_at < updated_at
        ):
            variant.inventory_updated_at = updated_at
    return updated


def _write_level(workspace_id: int, ids: list[int], available: int, updated_at: datetime | None) -> list[int]:
    """One conditional UPDATE: quantity = available + our unapplied commits, only where not newer."""
    pending = (
        select(func.coalesce(func.sum(InventoryAdjustment.delta), 0))
        .where(InventoryAdjustment.variant_id == ProductVariant.id, InventoryAdjustment.status == "pending")
        .scalar_subquery()
    )
    stmt = update(ProductVariant).where(
        ProductVariant.workspace_id == workspace_id, ProductVariant.id.in_(ids)
    )
    values: dict = {"inventory_quantity": available + pending, "updated_at": utcnow()}
    if updated_at is not None:
        stmt = stmt.where(
            or_(
                ProductVariant.inventory_updated_at.is_(None),
                ProductVariant.inventory_updated_at <= updated_at,
            )
        )
        values["inventory_updated_at"] = updated_at
    # The commit that ends stock_transaction expires the session's copies of these rows.
    stmt = stmt.values(**values).returning(ProductVariant.id).execution_options(synchronize_session=False)
    return sorted(db.session.scalars(stmt))


def _remember_location(workspace_id: int, location_id: str | int) -> None:
    """The first location Shopify reports becomes the one write-backs target (one location per shop)."""
    integration = db.session.scalars(
        select(Integration).where(Integration.workspace_id == workspace_id, Integration.platform == "shopify")
    ).first()
    if integration is None or (integration.config or {}).get("location_id"):
        return
    numeric = str(location_id).rsplit("/", 1)[-1]
    integration.config = {**(integration.config or {}), "location_id": f"gid://shopify/Location/{numeric}"}
