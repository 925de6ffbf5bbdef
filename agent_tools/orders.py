"""Order tools: create_order, add_to_order, get_order_status, cancel_order - the agent's selling path.

Orders are `source_platform="agent"`, `status="draft"`, linked to the conversation; every line holds stock
through `app.inventory.reserve` (so available stock drops at once and nobody else can take those units).
Inside a conversation a tool sees only that conversation's orders: one customer never reads another's.
Must not change stock itself (the inventory service does) nor commit or restock sold orders (merchant's job).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from agent_tools.catalog import load_variant, money
from agent_tools.registry import ToolContext, ToolError, tool
from app import inventory
from app.extensions import db
from app.inventory.service import OPEN_ORDER_STATUSES
from app.models import Order, OrderItem, Reservation
from app.params import DbId, Quantity, Text


class OrderLine(BaseModel):
    variant_id: DbId | None = Field(None, description="The variant_id to buy (from product_search).")
    sku: Text(255) | None = Field(None, description="The SKU to buy, if the variant_id is not known.")
    quantity: Quantity = Field(ge=1, le=100, description="How many units.")

    @model_validator(mode="after")
    def _one_key(self):
        if self.variant_id is None and not (self.sku or "").strip():
            raise ValueError("each item needs variant_id or sku")
        return self


class CreateOrderInput(BaseModel):
    """Create an order for the customer and hold the stock (reservation). Only after the customer confirmed
    the exact variants and quantities."""

    items: list[OrderLine] = Field(min_length=1, max_length=20, description="The variants and quantities.")
    customer_name: Text(255) | None = Field(None, description="The customer's name, if they gave it.")


class AddToOrderInput(BaseModel):
    """Add items to an open order of this customer (holds their stock too)."""

    order_id: DbId = Field(description="The order_id returned by create_order.")
    items: list[OrderLine] = Field(min_length=1, max_length=20)


class GetOrderStatusInput(BaseModel):
    """Status, items, totals and stock hold of an order of this customer."""

    order_id: DbId | None = Field(None, description="The order id; null for the customer's latest order.")


class CancelOrderInput(BaseModel):
    """Cancel an open order of this customer and give its held stock back."""

    order_id: DbId = Field(description="The order to cancel.")
    reason: Text(2000) | None = Field(None, description="Why, in the customer's words.")


def _resolve(ctx: ToolContext, lines: list[OrderLine]) -> list[tuple]:
    """[(variant, quantity)] with duplicates merged; refuses variants of other shops or deleted products."""
    wanted: dict[int, int] = defaultdict(int)
    variants = {}
    for line in lines:
        variant = load_variant(ctx, line.variant_id, line.sku)
        if variant.product.status != "active":
            raise ToolError("not_for_sale", f"{variant.product.title} is not for sale right now.")
        variants[variant.id] = variant
        wanted[variant.id] += line.quantity
    return [(variants[vid], qty) for vid, qty in wanted.items()]


def _add_items(order: Order, resolved: list[tuple]) -> None:
    existing = {item.variant_id: item for item in order.items}
    for variant, qty in resolved:
        item = existing.get(variant.id)
        if item is None:
            title = variant.product.title
            if variant.title and variant.title != "Default Title":
                title = f"{title} - {variant.title}"
            item = OrderItem(variant_id=variant.id, product_id=variant.product_id, sku=variant.sku,
                             title=title[:500], quantity=0, unit_price=variant.price)  # fmt: skip
            order.items.append(item)
        item.quantity += qty
        item.total_price = (item.unit_price or Decimal("0")) * item.quantity
    total = sum((i.total_price or Decimal("0")) for i in order.items)
    order.subtotal_price = order.total_price = total
    order.currency = order.currency or resolved[0][0].product.currency


def _hold(ctx: ToolContext, order_id: int, resolved: list[tuple]) -> None:
    """Reserve every line or none: on a failure the holds taken so far are handed back."""
    taken: list[int] = []
    try:
        for variant, qty in resolved:
            taken.append(inventory.reserve(ctx.scope, variant.id, qty, order_id=order_id).id)
    except inventory.InventoryError:
        if taken:
            for reservation in ctx.scope.all(Reservation, Reservation.id.in_(taken)):
                reservation.status = "released"
            db.session.commit()
        raise


def find_order(ctx: ToolContext, order_id: int | None) -> Order:
    criteria = []
    if ctx.conversation_id is not None:
        criteria.append(Order.conversation_id == ctx.conversation_id)
    if order_id is not None:
        criteria.append(Order.id == order_id)
    stmt = ctx.scope.select(Order, *criteria).order_by(Order.id.desc()).limit(1)
    order = db.session.scalars(stmt).first()
    if order is None:
        what = f"order {order_id}" if order_id is not None else "an order"
        raise ToolError("not_found", f"This customer has no {what}.")
    return order


def order_summary(order: Order) -> dict:
    db.session.refresh(order)
    holds = db.session.scalars(
        select(Reservation).where(Reservation.order_id == order.id, Reservation.status == "active")
    ).all()
    return {
        "order_id": order.id,
        "status": order.status,
        "currency": order.currency,
        "items": [
            {
                "variant_id": i.variant_id,
                "title": i.title,
                "sku": i.sku,
                "quantity": i.quantity,
                "unit_price": money(i.unit_price),
                "total_price": money(i.total_price),
            }  # fmt: skip
            for i in order.items
        ],
        "total": money(order.total_price),
        "stock_held": sum(r.quantity for r in holds),
        "held_until": min((r.expires_at for r in holds), default=None),
    }


@tool("create_order", CreateOrderInput, CreateOrderInput.__doc__, scope="orders:write", read_only=False)
def create_order(args: CreateOrderInput, ctx: ToolContext) -> dict:
    resolved = _resolve(ctx, args.items)
    conversation = ctx.conversation()
    order = Order(
        source_platform="agent",
        status="draft",
        conversation_id=conversation.id if conversation else None,
        integration_id=conversation.integration_id if conversation else None,
        customer_name=(args.customer_name or (conversation.customer_name if conversation else None) or None),
        customer_phone=conversation.customer_phone if conversation else None,
    )
    _add_items(order, resolved)
    ctx.scope.add(order)
    db.session.commit()
    try:
        _hold(ctx, order.id, resolved)
    except inventory.InventoryError:
        # Nothing could be held: no half-made order is left behind.
        db.session.delete(db.session.get(Order, order.id))
        db.session.commit()
        raise
    return order_summary(order)


@tool("add_to_order", AddToOrderInput, AddToOrderInput.__doc__, scope="orders:write", read_only=False)
def add_to_order(args: AddToOrderInput, ctx: ToolContext) -> dict:
    order = find_order(ctx, args.order_id)
    if order.status not in OPEN_ORDER_STATUSES:
        raise ToolError("order_closed", f"Order {order.id} is {order.status}; create a new order instead.")
    resolved = _resolve(ctx, args.items)
    _hold(ctx, order.id, resolved)
    order = find_order(ctx, args.order_id)
    _add_items(order, resolved)
    db.session.commit()
    return order_summary(order)


@tool(
    "get_order_status", GetOrderStatusInput, GetOrderStatusInput.__doc__, scope="orders:read", read_only=True
)
def get_order_status(args: GetOrderStatusInput, ctx: ToolContext) -> dict:
    if args.order_id is None and ctx.conversation_id is None:
        raise ToolError("invalid_arguments", "Give the order_id.")
    return order_summary(find_order(ctx, args.order_id))


@tool(
    "cancel_order",
    CancelOrderInput,
    CancelOrderInput.__doc__,
    scope="orders:write",
    read_only=False,
    destructive=True,
    idempotent=True,
)
def cancel_order(args: CancelOrderInput, ctx: ToolContext) -> dict:
    order = find_order(ctx, args.order_id)
    if order.status == "cancelled":
        return order_summary(order)
    if order.status not in OPEN_ORDER_STATUSES:
        raise ToolError(
            "needs_human", f"Order {order.id} is already {order.status}; hand off to a human to cancel it."
        )
    inventory.cancel(order)
    return order_summary(order)
