"""Orders for the dashboard: list with filters, one order's detail, and status changes.

Stock-moving changes (commit, cancel) go through `app.inventory` so reservations and Shopify write-backs stay
right; this module only decides which change a merchant may ask for. Shopify orders are read-only here: Shopify
owns them and the next sync or webhook would overwrite a local edit. No Flask request objects, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app import inventory
from app.extensions import db
from app.models import Order, OrderItem, Product, ProductVariant, Reservation
from app.models.orders import SOURCE_PLATFORMS
from app.models.scoping import WorkspaceScope
from app.services.keyset import Page, paginate, per_page_from
from app.services.order_parts import fulfillment_rows, order_items_page, refund_rows
from app.services.refused import Refused

ORDER_STATUSES = ("draft", "open", "committed", "cancelled")
# Orders sold in a chat (by a person or an agent): the dashboard marks them.
CHAT_PLATFORMS = ("whatsapp", "facebook", "agent")
# What a merchant may move a local order to from each status.
TRANSITIONS = {
    "draft": ("open", "committed", "cancelled"),
    "open": ("committed", "cancelled"),
    "committed": ("cancelled",),
    "cancelled": (),
}


class OrderChangeRefused(Refused):
    """The change is not allowed or the inventory refused it; `message` is safe to show."""


@dataclass
class OrderFilters:
    platform: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> OrderFilters:
        """Unknown values are dropped (and reported) rather than failing the page."""
        f = cls()
        platform, status = args.get("platform") or None, args.get("status") or None
        f.platform = platform if platform in SOURCE_PLATFORMS else None
        f.status = status if status in ORDER_STATUSES else None
        for name in ("date_from", "date_to"):
            raw = (args.get(name) or "").strip()
            if raw:
                try:
                    setattr(f, name, date.fromisoformat(raw))
                except ValueError:
                    f.errors[name] = "Use a date like 2026-01-31."
        return f

    def as_args(self) -> dict[str, str]:
        values = {"platform": self.platform, "status": self.status, "date_from": self.date_from,
                  "date_to": self.date_to}  # fmt: skip
        return {k: str(v) for k, v in values.items() if v}


def list_orders(scope: WorkspaceScope, filters: OrderFilters, cursor: str | None, per_page=None) -> Page:
    criteria = []
    if filters.platform:
        criteria.append(Order.source_platform == filters.platform)
    if filters.status:
        criteria.append(Order.status == filters.status)
    if filters.date_from:
        criteria.append(Order.created_at >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:  # inclusive: the whole last day
        criteria.append(Order.created_at < datetime.combine(filters.date_to + timedelta(days=1), time(), UTC))
    stmt = scope.select(Order, *criteria)
    return paginate(stmt, Order.created_at, Order.id, cursor, per_page_from(per_page))


@dataclass
class OrderDetail:
    order: Order
    items: list[OrderItem]  # one page of the line items, in Shopify's order
    # (reservation, variant title, product title)
    reservations: list[tuple[Reservation, str | None, str | None]]
    next_statuses: tuple[str, ...]
    items_total: int = 0
    items_from: int = 1  # the place of the first item shown, from 1
    next_items_after: int | None = None  # `items_after` of the next page of items
    fulfillments: list[dict] = field(default_factory=list)
    refunds: list[dict] = field(default_factory=list)


def get_order(scope: WorkspaceScope, order_id) -> Order | None:
    return scope.get(Order, order_id)


def order_detail(scope: WorkspaceScope, order: Order, items_after: int | None = None) -> OrderDetail:
    """The order with one page of its line items (`ITEMS_PAGE`, after the item id `items_after`), its
    fulfillments (tracking links checked by `app.services.links`) and refunds."""
    items_page = order_items_page(order, items_after)
    reservations = db.session.execute(
        scope.select(Reservation, Reservation.order_id == order.id)
        .add_columns(ProductVariant.title, Product.title)
        .outerjoin(ProductVariant, ProductVariant.id == Reservation.variant_id)
        .outerjoin(Product, Product.id == ProductVariant.product_id)
        .order_by(Reservation.id)
    ).all()
    return OrderDetail(order, items_page.items, [tuple(r) for r in reservations], next_statuses(order),
                       items_page.total, items_page.start, items_page.next_after,
                       fulfillment_rows(order), refund_rows(order))  # fmt: skip


def next_statuses(order: Order) -> tuple[str, ...]:
    if order.source_platform == "shopify":
        return ()
    return TRANSITIONS.get(order.status, ())


def change_status(order: Order, status: str) -> Order:
    """Move a local order to `status`; commit and cancel go through the inventory service."""
    if order.source_platform == "shopify":
        raise OrderChangeRefused(
            "Shopify orders are changed in Shopify; the next sync brings the change here."
        )
    if status not in next_statuses(order):
        raise OrderChangeRefused(f"A {order.status} order cannot become {status}.", 422)
    try:
        if status == "cancelled":
            inventory.cancel(order)
        elif status == "committed":
            inventory.commit(order)
        else:
            order.status = status
            db.session.commit()
    except inventory.InventoryError as exc:
        db.session.rollback()
        raise OrderChangeRefused(exc.message, exc.status) from exc
    db.session.refresh(order)
    return order


def cancel_order(order: Order) -> Order:
    return change_status(order, "cancelled")
