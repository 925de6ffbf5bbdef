"""Reserve, commit, release, cancel and expire: every change of held or sold stock goes through here.

Each public function is one transaction (see `levels.stock_transaction`): it locks the order row first, then
the variant rows in id order, re-reads, decides and writes, so N concurrent buyers of the last k units give
exactly k successes on Postgres and on SQLite alike. Commits record one `InventoryAdjustment` per variant with
an idempotency key derived from the logical change, and enqueue the Shopify write-back after the commit.
This module never calls Shopify itself and never reads Flask's request.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.inventory.errors import (
    InvalidOrderState,
    InvalidQuantity,
    OrderNotFound,
    OutOfStock,
    VariantNotFound,
)
from app.inventory.levels import (
    available,
    available_map,
    lock_variants,
    stock_levels,
    stock_transaction,
    workspace_id_of,
)
from app.inventory.locations import expected_at, pick_location
from app.inventory.writeback import enqueue_write_back, shopify_integration
from app.models import InventoryAdjustment, Order, Reservation, SyncLog
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow

__all__ = [
    "CommitResult",
    "available",
    "available_map",
    "cancel",
    "commit",
    "expire_reservations",
    "release",
    "reserve",
    "stock_levels",
]

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=15)
MAX_TTL = timedelta(hours=24)
MAX_QUANTITY = 1_000_000
OPEN_ORDER_STATUSES = ("draft", "open")


@dataclass
class CommitResult:
    order_id: int
    status: str
    #: False when the order was already in that state: nothing moved this time.
    changed: bool
    adjustments: list[InventoryAdjustment] = field(default_factory=list)


def check_quantity(qty) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_QUANTITY:
        raise InvalidQuantity(
            f"Quantity must be a whole number between 1 and {MAX_QUANTITY}.", quantity=qty, field="quantity"
        )
    return qty


def _lock_order(workspace_id: int, order_id) -> Order:
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise OrderNotFound(order_id) from None
    stmt = (
        select(Order)
        .where(Order.workspace_id == workspace_id, Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    order = db.session.scalars(stmt).first()
    if order is None:
        raise OrderNotFound(order_id)
    return order


def _order_reservations(order_id: int, status: str) -> list[Reservation]:
    stmt = (
        select(Reservation)
        .where(Reservation.order_id == order_id, Reservation.status == status)
        .order_by(Reservation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(stmt))


def reserve(
    scope_or_workspace_id: WorkspaceScope | int,
    variant_id: int,
    qty: int,
    order_id: int | None = None,
    ttl: timedelta = DEFAULT_TTL,
) -> Reservation:
    """Hold `qty` units of a variant for `ttl`, only if that many are available right now.

    Raises InvalidQuantity, VariantNotFound, OrderNotFound, InvalidOrderState or OutOfStock (with `available`).
    """
    workspace_id = workspace_id_of(scope_or_workspace_id)
    check_quantity(qty)
    if not timedelta(0) < ttl <= MAX_TTL:
        raise InvalidQuantity("A reservation lasts between a second and 24 hours.", ttl=str(ttl), field="ttl")
    try:
        variant_id = int(variant_id)
    except (TypeError, ValueError):
        raise VariantNotFound(variant_id) from None
    with stock_transaction():
        if order_id is not None:
            order = _lock_order(workspace_id, order_id)
            if order.status not in OPEN_ORDER_STATUSES:
                raise InvalidOrderState(f"Order {order.id} is {order.status}; stock can no longer be added.")
        variant = lock_variants(workspace_id, [variant_id]).get(variant_id)
        if variant is None:
            raise VariantNotFound(variant_id)
        now = utcnow()
        free = stock_levels(workspace_id, [variant_id], now=now)[variant_id].available
        if free < qty:
            raise OutOfStock(variant_id, qty, free)
        reservation = Reservation(
            workspace_id=workspace_id,
            variant_id=variant_id,
            order_id=order_id,
            quantity=qty,
            status="active",
            expires_at=now + ttl,
        )
        db.session.add(reservation)
    log.info("reserved %s x variant %s (order %s, workspace %s)", qty, variant_id, order_id, workspace_id)
    return reservation


def commit(order: Order) -> CommitResult:
    """Turn the order's active reservations into a stock decrement and queue the write-back to Shopify.

    Safe to call twice: a committed order is returned unchanged. A reservation that lapsed but was not yet
    swept is honoured only if its units are still free.
    """
    workspace_id, order_id = order.workspace_id, order.id
    with stock_transaction():
        order = _lock_order(workspace_id, order_id)
        if order.status == "committed":
            return CommitResult(order_id, "committed", False, _adjustments(order_id, "sale"))
        if order.status not in OPEN_ORDER_STATUSES:
            raise InvalidOrderState(f"Order {order_id} is {order.status} and cannot be committed.")
        reservations = _order_reservations(order_id, "active")
        if not reservations:
            raise InvalidOrderState(f"Order {order_id} holds no reserved stock (it may have expired).")
        wanted: dict[int, int] = defaultdict(int)
        for reservation in reservations:
            wanted[reservation.variant_id] += reservation.quantity
        variants = lock_variants(workspace_id, wanted)
        # Units other buyers hold; ours (lapsed or not) are what we are about to take.
        levels = stock_levels(workspace_id, wanted, exclude_reservations=[r.id for r in reservations])
        for variant_id, qty in sorted(wanted.items()):
            free = levels[variant_id].available
            if free < qty:
                raise OutOfStock(variant_id, qty, free)
        integration = shopify_integration(workspace_id)
        adjustments = [
            _record_change(variants[v], -q, order_id, "sale", integration, linked=True)
            for v, q in sorted(wanted.items())
        ]
        for reservation in reservations:
            reservation.status = "committed"
        order.status = "committed"
    enqueue_write_back([a.id for a in adjustments if a.status == "pending"])
    log.info("order %s committed: %s", order_id, dict(wanted))
    return CommitResult(order_id, "committed", True, adjustments)


def release(order: Order) -> int:
    """Give the order's held stock back (reservations -> released); returns the units released."""
    with stock_transaction():
        _lock_order(order.workspace_id, order.id)
        released = _release_active(order.id)
    return released


def _release_active(order_id: int) -> int:
    reservations = _order_reservations(order_id, "active")
    for reservation in reservations:
        reservation.status = "released"
    return sum(r.quantity for r in reservations)


def cancel(order: Order) -> CommitResult:
    """Cancel the order: release what it holds and, if it was committed, put the sold units back in stock
    (recorded as `restock` adjustments written back to Shopify). Cancelling twice changes nothing."""
    workspace_id, order_id = order.workspace_id, order.id
    with stock_transaction():
        order = _lock_order(workspace_id, order_id)
        if order.status == "cancelled":
            return CommitResult(order_id, "cancelled", False, _adjustments(order_id, "restock"))
        _release_active(order_id)
        adjustments = []
        if order.status == "committed":
            sales = _adjustments(order_id, "sale")
            variants = lock_variants(workspace_id, [s.variant_id for s in sales if s.variant_id])
            integration = shopify_integration(workspace_id)
            for sale in sales:
                variant = variants.get(sale.variant_id)
                if variant is None:
                    continue  # the product was deleted since; nothing to put back
                # Restock Shopify only if the sale reached it (or will): never add units it never lost.
                linked = sale.status in ("pending", "applied")
                adjustments.append(
                    _record_change(
                        variant,
                        -sale.delta,
                        order_id,
                        "restock",
                        integration,
                        linked,
                        location_gid=sale.location_gid,
                    )
                )
        order.status = "cancelled"
        order.cancelled_at = utcnow()
    enqueue_write_back([a.id for a in adjustments if a.status == "pending"])
    log.info("order %s cancelled (%d restock adjustments)", order_id, len(adjustments))
    return CommitResult(order_id, "cancelled", True, adjustments)


def _record_change(
    variant, delta, order_id, reason, integration, linked, location_gid=None
) -> InventoryAdjustment:
    """Apply `delta` locally and record it for Shopify with `changeFromQuantity` = what Shopify should hold.

    A variant with stock per location is changed at one location: a restock where its sale was debited,
    a sale where the rule of `pick_location` says (the location sold from with the most available)."""
    before = variant.inventory_quantity
    expected = before
    if location_gid is not None:
        expected = expected_at(variant, location_gid)
    else:
        picked = pick_location(variant)
        if picked is not None:
            location_gid, expected = picked
    if expected is None:
        expected = before
    variant.inventory_quantity = before + delta
    to_shopify = linked and bool(variant.inventory_item_id)
    adjustment = InventoryAdjustment(
        workspace_id=variant.workspace_id,
        integration_id=integration.id if integration else None,
        variant_id=variant.id,
        order_id=order_id,
        reason=reason,
        location_gid=location_gid,
        delta=delta,
        idempotency_key=f"order-{order_id}-variant-{variant.id}-{reason}",
        change_from_quantity=expected,
        status="pending" if to_shopify else "skipped",
        error=None if to_shopify else "Not written to Shopify: the variant is not linked to a Shopify item.",
    )
    db.session.add(adjustment)
    db.session.add(
        SyncLog(
            workspace_id=variant.workspace_id,
            integration_id=adjustment.integration_id,
            entity_type="inventory",
            entity_id=str(variant.id),
            action="update",
            status="success",
        )
    )
    db.session.flush()  # ids for the write-back job, inside the same transaction
    return adjustment


def _adjustments(order_id: int, reason: str) -> list[InventoryAdjustment]:
    stmt = (
        select(InventoryAdjustment)
        .where(InventoryAdjustment.order_id == order_id, InventoryAdjustment.reason == reason)
        .order_by(InventoryAdjustment.id)
    )
    return list(db.session.scalars(stmt))


def expire_reservations(now: datetime | None = None) -> int:
    """Minute housekeeping: reservations past their time give their stock back. Returns how many expired."""
    now = now or utcnow()
    with stock_transaction():
        result = db.session.execute(
            update(Reservation)
            .where(Reservation.status == "active", Reservation.expires_at <= now)
            .values(status="expired", updated_at=now)
            .execution_options(synchronize_session=False)
        )
    count = result.rowcount or 0
    if count:
        log.info("expired %d reservations", count)
    return count
