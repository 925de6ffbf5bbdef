"""Stock levels: what is on hand, what is held, what can still be sold, and the locks every change takes.

`available = inventory_quantity - sum(active, unexpired reservations)`, computed in SQL for one variant or many
in a single grouped query (no N+1), so the API, pages, catalog pushes and agent tools share one number.
`set_inventory_level` is how Shopify's view of stock (webhooks, syncs) lands here.

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
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, text, update

from app.extensions import db
from app.inventory.errors import VariantNotFound
from app.models import Integration, InventoryAdjustment, ProductVariant, Reservation
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow

log = logging.getLogger(__name__)

LOCK_TIMEOUT = "10s"  # a stuck transaction makes buyers fail fast instead of piling up behind it
# RLock: a stock change may call a helper that opens the same (nested) transaction scope.
_sqlite_writer = threading.RLock()


@dataclass(frozen=True)
class StockLevel:
    variant_id: int
    on_hand: int  # inventory_quantity, Shopify's available quantity as we last saw it minus our commits
    reserved: int  # held by active, unexpired reservations
    available: int  # what can still be reserved; never below 0 even if Shopify dropped under the holds

    @property
    def in_stock(self) -> bool:
        return self.available > 0

    def as_dict(self) -> dict:
        return {
            "variant_id": self.variant_id,
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
            "in_stock": self.in_stock,
        }


def workspace_id_of(scope_or_workspace_id: WorkspaceScope | int) -> int:
    if isinstance(scope_or_workspace_id, WorkspaceScope):
        return scope_or_workspace_id.workspace_id
    if not scope_or_workspace_id:
        raise ValueError("a stock operation needs a workspace")
    return int(scope_or_workspace_id)


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


def lock_variants(workspace_id: int, variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Lock and freshly load the workspace's variants, in id order so two lockers never deadlock."""
    ids = sorted({int(v) for v in variant_ids})
    if not ids:
        return {}
    stmt = (
        select(ProductVariant)
        .where(ProductVariant.workspace_id == workspace_id, ProductVariant.id.in_(ids))
        .order_by(ProductVariant.id)
        .with_for_update()
        # The session may hold these rows from before the lock; the locked values are the ones that count.
        .execution_options(populate_existing=True)
    )
    return {v.id: v for v in db.session.scalars(stmt)}


def reserved_quantities(
    variant_ids: Iterable[int], *, now: datetime | None = None, exclude_ids: Iterable[int] = ()
) -> dict[int, int]:
    """Units held per variant by active, unexpired reservations (optionally leaving some reservations out)."""
    ids = list({int(v) for v in variant_ids})
    if not ids:
        return {}
    criteria = [
        Reservation.variant_id.in_(ids),
        Reservation.status == "active",
        Reservation.expires_at > (now or utcnow()),
    ]
    excluded = list(exclude_ids)
    if excluded:
        criteria.append(Reservation.id.not_in(excluded))
    stmt = (
        select(Reservation.variant_id, func.sum(Reservation.quantity))
        .where(*criteria)
        .group_by(Reservation.variant_id)
    )
    return {variant_id: int(total or 0) for variant_id, total in db.session.execute(stmt)}


def stock_levels(
    scope_or_workspace_id: WorkspaceScope | int, variant_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, StockLevel]:
    """On hand, reserved and available for many variants of one workspace, in one query."""
    workspace_id = workspace_id_of(scope_or_workspace_id)
    ids = list({int(v) for v in variant_ids})
    if not ids:
        return {}
    reserved = func.coalesce(func.sum(Reservation.quantity), 0)
    stmt = (
        select(ProductVariant.id, ProductVariant.inventory_quantity, reserved)
        .outerjoin(Reservation, _holds_on_variant(now))
        .where(ProductVariant.workspace_id == workspace_id, ProductVariant.id.in_(ids))
        .group_by(ProductVariant.id, ProductVariant.inventory_quantity)
    )
    levels = {}
    for variant_id, on_hand, held in db.session.execute(stmt):
        levels[variant_id] = _level(variant_id, on_hand, held)
    return levels


def product_variant_levels(
    scope_or_workspace_id: WorkspaceScope | int, product_ids: Iterable[int], *, now: datetime | None = None
) -> list[tuple[int, str | None, StockLevel]]:
    """(product id, SKU, level) of every variant of the workspace's products, in one query, each product's
    variants in their display order (position, then id). Lets a product list show stock and SKUs without
    loading the variants themselves."""
    workspace_id = workspace_id_of(scope_or_workspace_id)
    ids = list({int(p) for p in product_ids})
    if not ids:
        return []
    reserved = func.coalesce(func.sum(Reservation.quantity), 0)
    variant = ProductVariant
    stmt = (
        select(variant.product_id, variant.id, variant.sku, variant.inventory_quantity, reserved)
        .outerjoin(Reservation, _holds_on_variant(now))
        .where(variant.workspace_id == workspace_id, variant.product_id.in_(ids))
        .group_by(variant.product_id, variant.id, variant.sku, variant.inventory_quantity, variant.position)
        .order_by(variant.product_id, variant.position, variant.id)
    )
    return [
        (product_id, sku, _level(variant_id, on_hand, held))
        for product_id, variant_id, sku, on_hand, held in db.session.execute(stmt)
    ]


def _active_holds(workspace_id: int, now: datetime):
    return (
        Reservation.workspace_id == workspace_id,
        Reservation.status == "active",
        Reservation.expires_at > now,
    )


def held_products(workspace_id: int, now: datetime):
    """A SELECT of the ids of the workspace's products with an active reservation unexpired at `now`."""
    return (
        select(ProductVariant.product_id)
        .join(Reservation, Reservation.variant_id == ProductVariant.id)
        .where(*_active_holds(workspace_id, now))
    )


def held_product_availability(workspace_id: int, now: datetime) -> dict[int, int]:
    """{product_id: available} of the products in `held_products`, summed over all their variants (each
    variant never below zero), in one grouped query: active reservations are few, so this stays small."""
    holds = (
        select(Reservation.variant_id, func.sum(Reservation.quantity).label("quantity"))
        .where(*_active_holds(workspace_id, now))
        .group_by(Reservation.variant_id)
        .subquery()
    )
    left = ProductVariant.inventory_quantity - func.coalesce(holds.c.quantity, 0)
    stmt = (
        select(ProductVariant.product_id, func.sum(case((left > 0, left), else_=0)))
        .outerjoin(holds, holds.c.variant_id == ProductVariant.id)
        .where(
            ProductVariant.workspace_id == workspace_id,
            ProductVariant.product_id.in_(held_products(workspace_id, now)),
        )
        .group_by(ProductVariant.product_id)
    )
    return {product_id: int(available or 0) for product_id, available in db.session.execute(stmt)}


def _holds_on_variant(now: datetime | None):
    return and_(
        Reservation.variant_id == ProductVariant.id,
        Reservation.status == "active",
        Reservation.expires_at > (now or utcnow()),
    )


def _level(variant_id: int, on_hand, held) -> StockLevel:
    on_hand, held = int(on_hand or 0), int(held or 0)
    return StockLevel(variant_id, on_hand, held, max(0, on_hand - held))


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


def pending_deltas(variant_ids: Iterable[int]) -> dict[int, int]:
    """Our committed changes Shopify has not applied yet, per variant."""
    ids = list(variant_ids)
    if not ids:
        return {}
    stmt = (
        select(InventoryAdjustment.variant_id, func.sum(InventoryAdjustment.delta))
        .where(InventoryAdjustment.variant_id.in_(ids), InventoryAdjustment.status == "pending")
        .group_by(InventoryAdjustment.variant_id)
    )
    return {variant_id: int(total or 0) for variant_id, total in db.session.execute(stmt)}


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
) -> list[int]:
    """Shopify says `available` units of this item are available: store it on the matching variants.

    Reservations are not touched: they keep counting against the new quantity. Our own commits that Shopify
    has not applied yet are subtracted again, so a webhook sent before our write-back landed does not hand
    those units back to buyers. With `updated_at` (when Shopify's level changed), a level older than the one
    stored is ignored: the UPDATE itself carries the comparison, so two deliveries racing each other cannot
    both pass a check made before either writes. Returns the ids of the variants updated (none for an
    unknown item or an older level).
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
        if locked:
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
