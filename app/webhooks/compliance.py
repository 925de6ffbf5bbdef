"""Shopify's mandatory compliance topics: customers/data_request, customers/redact, shop/redact.

Each one is recorded as a `ComplianceRequest` in the one workspace holding the shop (`Delivery.integrations`:
the integration whose credentials proved the shop, connected or not since), with what was done. A workspace
that merely added a row for the shop gets nothing: no request, no export.
- data_request: an export (JSON of the customer's orders, conversations and checkouts) the merchant downloads from
  `GET /api/compliance/<id>/export` (and later the dashboard).
- customers/redact: the customer's conversations, messages and checkouts are deleted, their orders keep the
  lines and amounts (the merchant's books) but lose name, email and phone.
- shop/redact: everything the workspace holds for the shop goes, the integration included.
Customers are matched by email and phone (digits compared the way WhatsApp writes them) and by the order ids
Shopify lists. Logs say how many rows changed, never who.
"""

from __future__ import annotations

import logging

from sqlalchemy import and_, delete, func, or_, select, update

from app.extensions import db
from app.models import (
    Checkout,
    ComplianceRequest,
    Conversation,
    Integration,
    InventoryAdjustment,
    Order,
    Product,
    ProductCategory,
    SyncLog,
    SyncRun,
    Webhook,
)
from app.models.types import utcnow
from app.sync.mapping import gid
from app.webhooks.delivery import Delivery

log = logging.getLogger(__name__)
REDACTED = "[redacted]"


def _record(d: Delivery, workspace_id: int | None, **fields) -> ComplianceRequest:
    request = ComplianceRequest(
        workspace_id=workspace_id, shop_domain=d.account_id or d.body.get("shop_domain") or "", topic=d.topic,
        webhook_id=d.webhook_id, request=d.body, status="completed", completed_at=utcnow(), **fields,
    )  # fmt: skip
    db.session.add(request)
    return request


def _phone_forms(phone: str | None) -> list[str]:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return sorted({f for f in (phone, digits, f"+{digits}" if digits else None) if f})


def _customer(d: Delivery) -> tuple[str | None, list[str], list[str]]:
    customer = d.body.get("customer") or {}
    email = (customer.get("email") or "").strip().lower() or None
    order_ids = d.body.get("orders_to_redact") or d.body.get("orders_requested") or []
    return email, _phone_forms(customer.get("phone")), [gid("Order", o) for o in order_ids]


def _orders(workspace_id: int, email, phones, order_gids) -> list[Order]:
    criteria = []
    if email:
        criteria.append(func.lower(Order.customer_email) == email)  # not ILIKE: '_' is a wildcard
    if phones:
        criteria.append(Order.customer_phone.in_(phones))
    if order_gids:
        criteria.append(Order.external_id.in_(order_gids))
    if not criteria:
        return []
    return list(db.session.scalars(select(Order).where(Order.workspace_id == workspace_id, or_(*criteria))))


def _checkout_match(d: Delivery, workspace_id: int, email, phones):
    """The customer's checkouts (by Shopify customer id, email or phone), as a WHERE clause; None: no key."""
    customer_gid = gid("Customer", (d.body.get("customer") or {}).get("id"))
    criteria = [Checkout.customer_gid == customer_gid] if customer_gid else []
    if email:
        criteria.append(func.lower(Checkout.customer_email) == email)
    if phones:
        criteria.append(Checkout.customer_phone.in_(phones))
    return and_(Checkout.workspace_id == workspace_id, or_(*criteria)) if criteria else None


def _conversations(workspace_id: int, phones: list[str], orders: list[Order]) -> list[Conversation]:
    linked = [o.conversation_id for o in orders if o.conversation_id]
    criteria = [Conversation.id.in_(linked)] if linked else []
    if phones:
        criteria += [Conversation.customer_wa_id.in_(phones), Conversation.customer_phone.in_(phones)]
    if not criteria:
        return []
    stmt = select(Conversation).where(Conversation.workspace_id == workspace_id, or_(*criteria))
    return list(db.session.scalars(stmt))


def customers_data_request(d: Delivery) -> None:
    email, phones, order_gids = _customer(d)
    for integration in d.integrations(include_disconnected=True):
        ws = integration.workspace_id
        orders = _orders(ws, email, phones, order_gids)
        conversations = _conversations(ws, phones, orders)
        export = {
            "shop_domain": d.account_id,
            "customer": d.body.get("customer") or {},
            "data_request": d.body.get("data_request") or {},
            "generated_at": utcnow().isoformat(),
            "orders": [_order_json(o) for o in orders],
            "conversations": [_conversation_json(c) for c in conversations],
            "checkouts": [_checkout_json(c) for c in _checkouts(d, ws, email, phones)],
        }
        request = _record(d, ws, export=export)
        db.session.flush()
        d.log(ws, "compliance", request.id, "create", integration_id=integration.id,
              error=f"data request: {len(orders)} orders, {len(conversations)} conversations exported")  # fmt: skip


def customers_redact(d: Delivery) -> None:
    email, phones, order_gids = _customer(d)
    for integration in d.integrations(include_disconnected=True):
        ws = integration.workspace_id
        orders = _orders(ws, email, phones, order_gids)
        conversations = _conversations(ws, phones, orders)
        if conversations:  # messages go with them (ON DELETE CASCADE)
            db.session.execute(delete(Conversation).where(Conversation.id.in_([c.id for c in conversations])))
        if orders:
            db.session.execute(
                update(Order)
                .where(Order.id.in_([o.id for o in orders]))
                .values(customer_name=REDACTED, customer_email=None, customer_phone=None, updated_at=utcnow())
            )
        match = _checkout_match(d, ws, email, phones)
        checkouts = _delete(Checkout, match) if match is not None else 0
        request = _record(d, ws)
        db.session.flush()
        summary = (
            f"customer redacted: {len(orders)} orders anonymised, {len(conversations)} conversations and "
            f"{checkouts} checkouts deleted"
        )
        d.log(ws, "compliance", request.id, "delete", integration_id=integration.id, error=summary)
        log.info("compliance request %s (workspace %s): %s", request.id, ws, summary)


def shop_redact(d: Delivery) -> None:
    """Shopify sends this 48 hours after an uninstall: forget the shop in the workspace that holds it."""
    for integration in d.integrations(include_disconnected=True):
        ws, integration_id = integration.workspace_id, integration.id
        others = db.session.scalar(
            select(func.count())
            .select_from(Integration)
            .where(
                Integration.workspace_id == ws,
                Integration.platform == "shopify",
                Integration.id != integration_id,
            )
        )
        counts = {}
        if not others:
            # Products, orders and conversations do not record their shop: with no other shop in the
            # workspace, everything commerce-related it holds came from (or sold) this shop's catalog.
            counts["conversations"] = _delete(Conversation, Conversation.workspace_id == ws)
            counts["checkouts"] = _delete(Checkout, Checkout.workspace_id == ws)
            counts["orders"] = _delete(Order, Order.workspace_id == ws)
            counts["products"] = _delete(Product, Product.workspace_id == ws)
            _delete(ProductCategory, ProductCategory.workspace_id == ws)
            _delete(InventoryAdjustment, InventoryAdjustment.workspace_id == ws)
        else:
            counts["checkouts"] = _delete(
                Checkout, Checkout.workspace_id == ws, Checkout.integration_id == integration_id
            )
            counts["orders"] = _delete(
                Order, Order.workspace_id == ws, Order.integration_id == integration_id
            )
            # Products record their store (migration 0010): this shop's go, the other stores' stay.
            counts["products"] = _delete(
                Product, Product.workspace_id == ws, Product.integration_id == integration_id
            )
        counts["webhooks"] = _delete(
            Webhook, Webhook.workspace_id == ws, Webhook.platform == "shopify",
            Webhook.account_id == d.account_id, Webhook.id != d.webhook_id,
        )  # fmt: skip
        _delete(SyncLog, SyncLog.integration_id == integration_id)
        _delete(SyncRun, SyncRun.integration_id == integration_id)
        request = _record(d, ws)
        db.session.flush()
        summary = (
            "shop redacted: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ", integration deleted"
        )
        d.log(ws, "compliance", request.id, "delete", integration_id=integration_id, error=summary)
        db.session.delete(integration)  # last: the log line above keeps the id until ON DELETE SET NULL
        db.session.flush()
        log.info("compliance request %s (workspace %s): %s", request.id, ws, summary)


def _delete(model, *criteria) -> int:
    return db.session.execute(delete(model).where(*criteria)).rowcount or 0


def _iso(value):
    return value.isoformat() if value else None


def _order_json(order: Order) -> dict:
    return {
        "id": order.id, "external_id": order.external_id, "number": order.number, "source": order.source_platform,
        "status": order.status, "customer_name": order.customer_name, "customer_email": order.customer_email,
        "customer_phone": order.customer_phone, "currency": order.currency,
        "total_price": str(order.total_price) if order.total_price is not None else None,
        "created_at": _iso(order.created_at),
        "items": [{"title": i.title, "sku": i.sku, "quantity": i.quantity,
                   "unit_price": str(i.unit_price) if i.unit_price is not None else None} for i in order.items],
    }  # fmt: skip


def _checkouts(d: Delivery, workspace_id: int, email, phones) -> list[Checkout]:
    match = _checkout_match(d, workspace_id, email, phones)
    return (
        list(db.session.scalars(select(Checkout).where(match).order_by(Checkout.id)))
        if match is not None
        else []
    )


def _checkout_json(checkout: Checkout) -> dict:
    return {
        "id": checkout.shopify_checkout_id, "customer_name": checkout.customer_name,
        "customer_email": checkout.customer_email, "customer_phone": checkout.customer_phone,
        "items": checkout.line_items_summary, "currency": checkout.currency,
        "total_price": str(checkout.total_price) if checkout.total_price is not None else None,
        "last_activity_at": _iso(checkout.last_activity_at), "completed_at": _iso(checkout.completed_at),
        "reminder": checkout.reminder_status,
    }  # fmt: skip


def _conversation_json(conversation: Conversation) -> dict:
    return {
        "id": conversation.id, "platform": conversation.platform, "customer_name": conversation.customer_name,
        "customer_phone": conversation.customer_phone or conversation.customer_wa_id,
        "customer_user_id": conversation.customer_user_id, "created_at": _iso(conversation.created_at),
        "messages": [{"direction": m.direction, "type": m.type, "body": m.body, "created_at": _iso(m.created_at)}
                     for m in conversation.messages],
    }  # fmt: skip
