"""The one way to queue an outgoing WhatsApp message, and the rules it must pass.

Every message is an `outbox_message` row before anything is sent; the unique (customer, event key, template)
makes a second queueing of the same event a no-op, however often its webhook is re-delivered. The rules are
checked here, before queueing, and again by the sender just before the POST (consent may change meanwhile):

- nothing at all to a customer who opted out;
- nothing marketing-category to a customer who has not opted in;
- free-form text only inside the 24-hour customer-service window (the customer's last message); templates
  may always be sent.

A new row that is due now is woken once the caller's transaction commits (a session `after_commit` hook, so
webhook handlers and batch writers need not know); a row due later, or whose job never ran (Redis down), is
found by the sender's minute sweep. No commits here except in `enqueue_send`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Customer, Integration, OutboxMessage
from app.models.types import utcnow
from app.queues import QueueUnavailable, enqueue
from app.sync.upsert_sql import dialect_insert

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Queued:
    """What `queue_message` did: `id` of the row (new or already there), or `refused` saying why not."""

    id: int | None = None
    created: bool = False
    refused: str | None = None


def window_open(customer: Customer, now: datetime | None = None) -> bool:
    last = customer.last_inbound_at
    return last is not None and (now or utcnow()) - last < WINDOW


def blocker(customer: Customer, kind: str, category: str, now: datetime | None = None) -> str | None:
    """Why this message may not go to this customer now (None when it may)."""
    if customer.consent == "opted_out":
        return "The customer opted out of WhatsApp messages."
    if category == "marketing" and customer.consent != "opted_in":
        return "Marketing messages need the customer's opt-in."
    if kind != "template" and not window_open(customer, now):
        return "Outside the 24-hour customer-service window only templates may be sent."
    return None


def whatsapp_integration(workspace_id: int) -> Integration | None:
    stmt = (
        select(Integration)
        .where(Integration.workspace_id == workspace_id, Integration.platform == "whatsapp",
               Integration.status == "connected")
        .order_by(Integration.id)
    )  # fmt: skip
    return db.session.scalars(stmt).first()


def template_message(name: str, language: str, components: list | None = None) -> dict:
    """A template message as the Cloud API takes it (`type: template`), without the recipient."""
    template: dict = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    return {"type": "template", "template": template}


def text_message(body: str) -> dict:
    return {"type": "text", "text": {"preview_url": False, "body": body}}


def queue_message(
    customer: Customer, event_key: str, message: dict, *, category: str, due_at: datetime | None = None
) -> Queued:
    """Store `message` for `customer` unless this (customer, event, template) is already there."""
    kind = "template" if message.get("type") == "template" else "text"
    name = (message.get("template") or {}).get("name", "") if kind == "template" else ""
    language = (
        ((message.get("template") or {}).get("language") or {}).get("code") if kind == "template" else None
    )
    if kind == "text":
        category = "service"  # free-form text can only go inside the window: Meta bills it as service
    why = blocker(customer, kind, category)
    if why:
        return Queued(refused=why)
    integration = whatsapp_integration(customer.workspace_id)
    if integration is None:
        return Queued(refused="WhatsApp is not connected.")
    now = utcnow()
    due_now = due_at is None or due_at <= now
    stmt = dialect_insert(OutboxMessage).values(
        workspace_id=customer.workspace_id, customer_id=customer.id, integration_id=integration.id,
        event_key=event_key[:200], kind=kind, template_name=name[:512], language=language, category=category,
        payload=message, status="queued", attempts=0, due_at=due_at or now, created_at=now, updated_at=now,
        enqueued_at=now if due_now else None,
    )  # fmt: skip
    new_id = db.session.execute(
        stmt.on_conflict_do_nothing(index_elements=["customer_id", "event_key", "template_name"]).returning(
            OutboxMessage.id
        )
    ).scalar()
    if new_id is not None:
        if due_now:
            db.session.info.setdefault(_WAKE, []).append(new_id)
        return Queued(id=new_id, created=True)
    existing = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.customer_id == customer.id,
                                       OutboxMessage.event_key == event_key[:200],
                                       OutboxMessage.template_name == name[:512])
    )  # fmt: skip
    return Queued(id=existing, created=False)


_WAKE = "outbox_wake"


@event.listens_for(Session, "after_commit")
def _wake_committed(session: Session) -> None:
    for outbox_id in session.info.pop(_WAKE, []):
        try:
            enqueue("messaging.send", outbox_id)
        except QueueUnavailable:
            log.warning("outbox %s: send not queued, Redis unavailable; the sweep will", outbox_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_WAKE, None)


def enqueue_send(outbox_id: int) -> bool:
    """Wake a sender for a committed row that is due; False when Redis is down (the sweep sends it later)."""
    try:
        enqueue("messaging.send", outbox_id)
    except QueueUnavailable:
        log.warning("outbox %s: send not queued, Redis unavailable; the sweep will", outbox_id)
        return False
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == outbox_id).values(enqueued_at=utcnow())
    )
    db.session.commit()
    return True
