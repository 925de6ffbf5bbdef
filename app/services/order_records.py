"""Orders created, edited and deleted through the JSON API (local orders: agent, WhatsApp, Facebook).

Listing, detail and status changes live in `app.services.orders` (shared with the Orders page); this module adds
validated create / field update / delete. Shopify orders are read-only (Shopify owns them). Creating an order
does not hold stock: `POST /api/reservations` with the order id does. Never reads the request, never calls HTTP.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.inventory import release
from app.models import Order, OrderItem, ProductVariant
from app.models.orders import SOURCE_PLATFORMS
from app.models.scoping import WorkspaceScope
from app.services import orders as order_service
from app.services.products import ProductValidationError, money_field, text_field
from app.services.refused import Refused

LOCAL_PLATFORMS = tuple(p for p in SOURCE_PLATFORMS if p != "shopify")
CREATE_STATUSES = ("draft", "open")
CUSTOMER_FIELDS = {"customer_name": 255, "customer_phone": 50, "customer_email": 255}
NOTE_FIELDS = {"financial_status": 50, "fulfillment_status": 50}
UPDATABLE = {*CUSTOMER_FIELDS, *NOTE_FIELDS, "status"}
MAX_ITEMS = 250
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OrderRefused(Refused, ValueError):
    """The order exists but cannot take this change (409); `message` is safe to show."""


def _customer(data: dict, errors: dict, names) -> dict:
    values = {}
    for name in names:
        if name in data:
            limit = {**CUSTOMER_FIELDS, **NOTE_FIELDS}[name]
            values[name] = text_field(data, name, errors, max_len=limit)
    email = values.get("customer_email")
    if email and "customer_email" not in errors and not _EMAIL.match(email):
        errors["customer_email"] = "Must be an email address."
    return values


def _items(scope: WorkspaceScope, raw, errors: dict) -> list[OrderItem]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ITEMS:
        errors["items"] = f"Must be a list of 1 to {MAX_ITEMS} items."
        return []
    wanted = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            errors[f"items.{i}"] = "Must be an object."
            continue
        variant_id, quantity = item.get("variant_id"), item.get("quantity", 1)
        if isinstance(variant_id, bool) or not isinstance(variant_id, int):
            errors[f"items.{i}.variant_id"] = "Must be a variant id."
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100_000:
            errors[f"items.{i}.quantity"] = "Must be a whole number from 1 to 100000."
        price = money_field(item.get("unit_price"), f"items.{i}.unit_price", errors)
        wanted[i] = (variant_id, quantity, price)
    # An id outside INTEGER (the primary keys) names no variant (and would overflow the query): it is simply unknown.
    ids = [
        v for v, _, _ in wanted.values() if isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31
    ]
    variants = {
        v.id: v
        for v in db.session.scalars(
            scope.select(ProductVariant, ProductVariant.id.in_(ids)).join(ProductVariant.product)
        )
    }
    items = []
    for i, (variant_id, quantity, price) in wanted.items():
        variant = variants.get(variant_id) if isinstance(variant_id, int) else None
        if variant is None or variant.product.deleted_at is not None:
            errors.setdefault(f"items.{i}.variant_id", "Unknown variant.")
            continue
        if f"items.{i}.quantity" in errors or f"items.{i}.unit_price" in errors:
            continue  # refused above: the order is not built, and the line's total cannot be computed
        unit = price if price is not None else variant.price
        title = variant.product.title + ("" if variant.title == "Default Title" else f" – {variant.title}")
        items.append(OrderItem(variant_id=variant.id, product_id=variant.product_id, sku=variant.sku, title=title[:500],
                               quantity=quantity, unit_price=unit, total_price=unit * quantity))  # fmt: skip
    return items


def create_order(scope: WorkspaceScope, data: dict) -> Order:
    errors: dict[str, str] = {}
    platform = data.get("source_platform", "agent")
    if platform not in LOCAL_PLATFORMS:
        errors["source_platform"] = (
            f"Must be one of: {', '.join(LOCAL_PLATFORMS)} (Shopify orders come from Shopify)."
        )
    status = data.get("status", "open")
    if status not in CREATE_STATUSES:
        errors["status"] = "A new order is 'draft' or 'open'; commit or cancel it afterwards."
    currency = data.get("currency")
    if currency is not None and not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
        errors["currency"] = "Must be a three-letter currency code such as USD."
    external_id = text_field(data, "external_id", errors, max_len=100)
    number = text_field(data, "number", errors, max_len=50)
    values = _customer(data, errors, CUSTOMER_FIELDS)
    items = _items(scope, data.get("items"), errors)
    if errors:
        raise ProductValidationError(errors)
    duplicate = select(Order.id).where(
        Order.workspace_id == scope.workspace_id,
        Order.source_platform == platform,
        Order.external_id == external_id,
    )
    if external_id and db.session.scalar(duplicate):
        raise OrderRefused(f"An order with external_id {external_id!r} already exists.")
    subtotal = sum((i.total_price for i in items), Decimal("0.00"))
    order = Order(source_platform=platform, status=status, external_id=external_id, number=number,
                  currency=currency, subtotal_price=subtotal, total_price=subtotal, items=items, **values)  # fmt: skip
    scope.add(order)
    db.session.commit()
    return order


def update_order(order: Order, data: dict) -> Order:
    """Customer and note fields for local orders; a `status` change goes through the inventory rules."""
    if order.source_platform == "shopify":
        raise OrderRefused("Shopify orders are changed in Shopify; the next sync brings the change here.")
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - UPDATABLE)
    for name in unknown:
        errors[name] = "Unknown or read-only field."
    values = _customer(data, errors, (*CUSTOMER_FIELDS, *NOTE_FIELDS))
    status = data.get("status")
    if "status" in data and status not in order_service.ORDER_STATUSES:
        errors["status"] = f"Must be one of: {', '.join(order_service.ORDER_STATUSES)}."
    if errors:
        raise ProductValidationError(errors)
    for name, value in values.items():
        setattr(order, name, value)
    db.session.commit()
    if status and status != order.status:
        try:
            order_service.change_status(order, status)
        except order_service.OrderChangeRefused as exc:
            raise OrderRefused(exc.message, exc.status) from exc
    return order


def delete_order(order: Order) -> None:
    """Only local draft or cancelled orders go away; their held stock is released first."""
    if order.source_platform == "shopify":
        raise OrderRefused("Shopify orders are deleted in Shopify.")
    if order.status not in ("draft", "cancelled"):
        raise OrderRefused(f"A {order.status} order cannot be deleted: cancel it first.")
    if order.status == "draft":
        release(order)
    db.session.delete(order)
    db.session.commit()


def items_for(orders: list[Order]) -> dict[int, list[OrderItem]]:
    """Line items of many orders in one query (the list stays at a fixed number of queries)."""
    ids = [o.id for o in orders]
    grouped: dict[int, list[OrderItem]] = {i: [] for i in ids}
    if ids:
        stmt = select(OrderItem).where(OrderItem.order_id.in_(ids)).order_by(OrderItem.order_id, OrderItem.id)
        for item in db.session.scalars(stmt):
            grouped[item.order_id].append(item)
    return grouped
