"""A WhatsApp catalog cart (`order` message) becomes a draft order that holds stock.

Items name catalog products by retailer id, which `app.platforms.meta_catalog.retailer_id_for` makes
`variant-<numeric Shopify variant id>`; anything else is tried as a SKU. The order is keyed by the message id,
so re-processing the delivery finds it again, and a line is reserved only if it holds no reservation yet.
Stock comes from `app.inventory.reserve` (one transaction each, which commits the order with it); a line that
cannot be held is kept on the order and logged, so the agent or merchant can follow up. Must not call Meta.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, or_, select

from app.extensions import db
from app.inventory import InventoryError, reserve
from app.models import Conversation, Order, OrderItem, ProductVariant, Reservation
from app.models.types import utcnow
from app.sync.catalog_writer import dialect_insert
from app.sync.mapping import gid
from app.webhooks import shapes
from app.webhooks.delivery import Delivery
from app.webhooks.shapes import WrongShape, kind

log = logging.getLogger(__name__)


MAX_QUANTITY = 2**31 - 1  # the column's integer


def _decimal(value) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None
    return amount if amount is None or amount.is_finite() else None


def _quantity(value, where: str) -> int:
    """A cart line's quantity: a whole number (Meta sends an integer; "2" and 2.0 are read as 2), at least 1."""
    if value in (None, ""):
        return 1
    try:
        number = Decimal(str(value)) if not isinstance(value, bool | dict | list) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise WrongShape(f"{where} is {kind(value)} that is not a whole number")
    if number > MAX_QUANTITY:
        raise WrongShape(f"{where} is more than {MAX_QUANTITY}")
    return max(int(number), 1)


def _variants(workspace_id: int, retailer_ids: list[str]) -> dict[str, ProductVariant]:
    gids = {r: gid("ProductVariant", r.split("-", 1)[1]) for r in retailer_ids if r.startswith("variant-")}
    rows = db.session.scalars(
        select(ProductVariant).where(
            ProductVariant.workspace_id == workspace_id,
            or_(
                ProductVariant.shopify_variant_id.in_(list(gids.values())),
                ProductVariant.sku.in_(retailer_ids),
            ),
        )
    ).all()
    by_gid = {v.shopify_variant_id: v for v in rows}
    by_sku = {v.sku: v for v in rows if v.sku}
    return {r: v for r in retailer_ids if (v := by_gid.get(gids.get(r)) or by_sku.get(r)) is not None}


def draft_order_from_cart(
    d: Delivery, conversation: Conversation, message_id: str, cart: dict, at
) -> int | None:
    ws = d.workspace_id
    items = shapes.objects(cart.get("product_items"), "order.product_items")
    lines = []
    for n, item in enumerate(items):
        retailer_id = shapes.ident(
            item.get("product_retailer_id"), f"order.product_items[{n}].product_retailer_id"
        )
        if retailer_id:
            lines.append({**item, "product_retailer_id": retailer_id,
                          "quantity": _quantity(item.get("quantity"), f"order.product_items[{n}].quantity"),
                          "currency": shapes.text(item.get("currency"), f"order.product_items[{n}].currency")})  # fmt: skip
    if not lines:
        d.log(ws, "order", message_id, "skip", error="Cart without items.")
        return None
    variants = _variants(ws, [i["product_retailer_id"] for i in lines])
    order_id = _insert_order(d, conversation, message_id, lines, variants, at)
    _reserve_lines(d, order_id)
    return order_id


def _insert_order(d: Delivery, conversation, message_id, lines, variants, at) -> int:
    now = utcnow()
    items, total = [], Decimal("0.00")
    for line in lines:
        retailer_id = line["product_retailer_id"]
        variant = variants.get(retailer_id)
        quantity = line["quantity"]
        unit = _decimal(line.get("item_price"))
        line_total = unit * quantity if unit is not None else None
        total += line_total or 0
        title = retailer_id
        if variant is not None:
            title = variant.product.title + (
                "" if variant.title == "Default Title" else f" - {variant.title}"
            )
        items.append({
            "variant_id": variant.id if variant else None, "product_id": variant.product_id if variant else None,
            "external_id": retailer_id[:100], "sku": variant.sku if variant else None, "title": title[:500],
            "quantity": quantity, "unit_price": unit, "total_price": line_total,
        })  # fmt: skip
    stmt = dialect_insert(Order).values(
        workspace_id=d.workspace_id, integration_id=d.integration_id, conversation_id=conversation.id,
        source_platform="whatsapp", external_id=message_id[:100], status="draft",
        customer_name=conversation.customer_name, customer_phone=conversation.customer_phone,
        currency=(lines[0].get("currency") or None), subtotal_price=total, total_price=total,
        created_at=at or now, updated_at=now,
    )  # fmt: skip
    new_id = db.session.execute(
        stmt.on_conflict_do_nothing(
            index_elements=["workspace_id", "source_platform", "external_id"]
        ).returning(Order.id)
    ).scalar()
    if new_id is None:  # a re-run: the order exists, only missing reservations are retried
        return db.session.scalars(
            select(Order.id).where(
                Order.workspace_id == d.workspace_id, Order.source_platform == "whatsapp",
                Order.external_id == message_id[:100],
            )
        ).one()  # fmt: skip
    db.session.execute(insert(OrderItem), [{**item, "order_id": new_id} for item in items])
    d.log(d.workspace_id, "order", new_id, "create", error=f"draft from WhatsApp cart, {len(items)} lines")
    return new_id


def _reserve_lines(d: Delivery, order_id: int) -> None:
    # reserve() rolls its transaction back on refusal: what this delivery wrote so far must be committed first.
    db.session.commit()
    items = db.session.execute(
        select(OrderItem.variant_id, OrderItem.quantity, OrderItem.external_id).where(
            OrderItem.order_id == order_id
        )
    ).all()
    held = set(db.session.scalars(select(Reservation.variant_id).where(Reservation.order_id == order_id)))
    for variant_id, quantity, retailer_id in items:
        if variant_id is None:
            d.log(d.workspace_id, "order", order_id, "update", status="error",
                  error=f"Cart item {retailer_id} matches no product variant; not reserved.")  # fmt: skip
            continue
        if variant_id in held:
            continue
        try:
            reserve(d.workspace_id, variant_id, quantity, order_id=order_id)
        except InventoryError as exc:
            d.log(d.workspace_id, "order", order_id, "update", status="error", error=exc.message)
            log.info("order %s: variant %s not reserved: %s", order_id, variant_id, exc.message)
        else:
            held.add(variant_id)
