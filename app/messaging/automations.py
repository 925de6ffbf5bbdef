"""The follow-up automations: order confirmation, shipped and delivered, each on/off per workspace with its
template and delay.

- **Order confirmation** when an order written by a Shopify webhook is paid (`orders/create` of a paid order,
  `orders/paid`, or any later update that shows it paid): event key `order:<order gid>:confirmation`.
- **Shipped** when a fulfillment written by `fulfillments/create|update` has a tracking number or link:
  event key `fulfillment:<fulfillment gid>:shipped`, with the tracking link.
- **Delivered** when a stored fulfillment's `shipment_status` is `delivered` (Shopify reports it for carriers
  it tracks, on `fulfillments/update` and in the orders sync's `displayStatus`): event key
  `fulfillment:<fulfillment gid>:delivered`. A fulfillment seen delivered first gets the delivered message
  only, never a late "shipped": the parcel is already there.

The event key and the template make the outbox row unique, so any number of re-deliveries, in any order,
queue one message. Only orders created in the last `RECENT` are followed up: switching an automation on must
not message every old customer whose order is edited. The template's body placeholders (`{{1}}`, ... or named
`{{customer_name}}`) are filled from the order in the documented order; a missing value becomes "-" (Meta
refuses empty parameters). The category is the synced template's (a marketing template needs opt-in).
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.messaging.customers import customer_for, digits
from app.messaging.outbox import Queued, queue_message, template_message
from app.messaging.templates import approved
from app.models import Automation, MessageTemplate, Order, OrderFulfillment
from app.models.types import utcnow
from app.problems import AppError

KINDS = {
    "order_confirmation": ("Order confirmation", ("customer_name", "order_number", "order_total")),
    "shipped": ("Shipped", ("customer_name", "order_number", "tracking_url", "tracking_number", "carrier")),
    "delivered": (
        "Delivered",
        ("customer_name", "order_number", "tracking_url", "tracking_number", "carrier"),
    ),
    # Queued by app.messaging.checkouts when the delay after the checkout's last activity has passed.
    "abandoned_checkout": (
        "Abandoned checkout",
        ("customer_name", "checkout_url", "checkout_total", "items"),
    ),
}
FULFILLMENT_KINDS = ("shipped", "delivered")
RECENT = timedelta(days=3)
MAX_DELAY_MINUTES = 7 * 24 * 60
_NAMED = re.compile(r"{{\s*([a-z_][a-z0-9_]*)\s*}}")
_NUMBERED = re.compile(r"{{\s*(\d+)\s*}}")


class AutomationRefused(AppError):
    """The automation settings were not saved; the message says why."""


def automation(workspace_id: int, kind: str) -> Automation | None:
    stmt = select(Automation).where(Automation.workspace_id == workspace_id, Automation.kind == kind)
    return db.session.scalars(stmt).first()


def save_automation(workspace_id: int, kind: str, *, enabled: bool, template: str, delay: str) -> Automation:
    """Validate and store one automation's settings; raises AutomationRefused (422). Commits."""
    if kind not in KINDS:
        raise AutomationRefused("Unknown automation.", status=404)
    try:
        delay_minutes = int(str(delay or "0").strip())
    except ValueError:
        raise AutomationRefused("The delay is a whole number of minutes.", status=422) from None
    if not 0 <= delay_minutes <= MAX_DELAY_MINUTES:
        raise AutomationRefused(f"The delay is between 0 and {MAX_DELAY_MINUTES} minutes.", status=422)
    name, _, language = (template or "").partition("|")
    chosen = approved(workspace_id, name.strip() or None, language.strip() or None)
    if enabled and chosen is None:
        raise AutomationRefused("Choose an approved template to switch this automation on.", status=422)
    row = automation(workspace_id, kind) or Automation(workspace_id=workspace_id, kind=kind)
    row.enabled, row.delay_minutes = enabled, delay_minutes
    row.template_name = chosen.name if chosen else (name.strip()[:512] or None)
    row.language = chosen.language if chosen else (language.strip()[:20] or None)
    db.session.add(row)
    db.session.commit()
    return row


def body_parameters(template: MessageTemplate, values: dict, order: tuple[str, ...]) -> list[dict]:
    body = next(
        (
            c
            for c in template.components or []
            if isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY"
        ),
        {},
    )
    text = str(body.get("text") or "")
    named = list(dict.fromkeys(_NAMED.findall(text)))
    if named:
        return [{"type": "text", "parameter_name": n, "text": _text(values.get(n))} for n in named]
    count = len(set(_NUMBERED.findall(text)))
    return [
        {"type": "text", "text": _text(values.get(order[i]) if i < len(order) else None)}
        for i in range(count)
    ]


def _text(value) -> str:
    text = str(value).strip() if value is not None else ""
    return text[:1024] or "-"


def _queue(workspace_id: int, kind: str, phone: str | None, name: str | None, event_key: str, values: dict):
    settings = automation(workspace_id, kind)
    if settings is None or not settings.enabled:
        return None
    template = approved(workspace_id, settings.template_name, settings.language)
    customer = customer_for(workspace_id, wa_id=digits(phone), name=name)
    if template is None or customer is None:
        return None
    parameters = body_parameters(template, values, KINDS[kind][1])
    message = template_message(template.name, template.language,
                               [{"type": "body", "parameters": parameters}] if parameters else None)  # fmt: skip
    due = utcnow() + timedelta(minutes=settings.delay_minutes)
    category = (
        template.category if template.category in ("marketing", "utility", "authentication") else "utility"
    )
    return queue_message(customer, event_key, message, category=category, due_at=due)


def _values(order: Order) -> dict:
    total = f"{order.total_price} {order.currency or ''}".strip() if order.total_price is not None else None
    first = (order.customer_name or "").split(" ")[0] or None
    return {"customer_name": first, "order_number": order.number, "order_total": total}


def order_paid(workspace_id: int, external_id: str) -> Queued | None:
    """Queue the order confirmation for a stored, paid, recent, not cancelled Shopify order."""
    order = db.session.scalars(
        select(Order).where(Order.workspace_id == workspace_id, Order.source_platform == "shopify",
                            Order.external_id == external_id)
    ).first()  # fmt: skip
    if order is None or order.financial_status != "paid" or order.cancelled_at is not None:
        return None
    if order.created_at is None or order.created_at < utcnow() - RECENT:
        return None
    return _queue(workspace_id, "order_confirmation", order.customer_phone, order.customer_name,
                  f"order:{external_id}:confirmation", _values(order))  # fmt: skip


def fulfillment_written(
    workspace_id: int, order_gid: str | None, fulfillment_gid: str, kinds: tuple[str, ...] = FULFILLMENT_KINDS
) -> list[Queued]:
    """Queue the shipped message (a fulfillment with tracking) and the delivered message (a fulfillment Shopify
    reports delivered) of a stored fulfillment of a recent order; what was queued, per kind switched on."""
    row = db.session.execute(
        select(OrderFulfillment, Order)
        .join(Order, Order.id == OrderFulfillment.order_id)
        .where(Order.workspace_id == workspace_id, Order.external_id == order_gid,
               OrderFulfillment.shopify_fulfillment_id == fulfillment_gid)
    ).first()  # fmt: skip
    if row is None:
        return []
    fulfillment, order = row
    if fulfillment.status == "cancelled":
        return []
    if order.created_at is None or order.created_at < utcnow() - RECENT:
        return []
    values = {**_values(order), "tracking_url": fulfillment.tracking_url, "tracking_number": fulfillment.tracking_number,
              "carrier": fulfillment.tracking_company}  # fmt: skip
    delivered = fulfillment.shipment_status == "delivered"
    due = {
        "shipped": not delivered and bool(fulfillment.tracking_url or fulfillment.tracking_number),
        "delivered": delivered,
    }
    queued = []
    for kind in kinds:
        if due.get(kind):
            done = _queue(workspace_id, kind, order.customer_phone, order.customer_name,
                          f"fulfillment:{fulfillment_gid}:{kind}", values)  # fmt: skip
            if done is not None:
                queued.append(done)
    return queued
