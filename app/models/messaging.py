"""WhatsApp follow-up: customers and their consent history, the durable outbox, synced message templates and
the per-workspace automations (order confirmation, shipped)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

CONSENT_STATES = ("unknown", "opted_in", "opted_out")
CATEGORIES = ("marketing", "utility", "authentication", "service")
# queued -> sending (claimed, attempt recorded) -> sent -> delivered -> read; failed; cancelled (refused at
# send time: opted out, window closed for free-form).
OUTBOX_STATUSES = ("queued", "sending", "sent", "delivered", "read", "failed", "cancelled")


class Customer(db.Model):
    """A WhatsApp customer of one workspace: the business-scoped user id (BSUID) when WhatsApp gave one, the
    phone digits (`wa_id`) when known (from WhatsApp or a Shopify order), either may come first."""

    __tablename__ = "customer"
    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id"),
        UniqueConstraint("workspace_id", "wa_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(String(255))
    wa_id: Mapped[str | None] = mapped_column(String(50))
    name: Mapped[str | None] = mapped_column(String(255))
    consent: Mapped[str] = mapped_column(String(20), default="unknown")
    # When the event behind the current consent happened (the message's or Shopify's time, not ours):
    # an older event arriving late never overrides a newer one.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 24-hour customer-service window opens at the customer's last inbound message.
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ConsentEvent(db.Model):
    """Every consent change, kept: what changed, from what source, when it happened."""

    __tablename__ = "consent_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    # inbound_message, stop_keyword, start_keyword, opt_out_button, shopify
    source: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(String(255))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(db.Model):
    """One outgoing WhatsApp message, stored before it is sent. At most one per (customer, event, template)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("customer_id", "event_key", "template_name"),
        Index("ix_outbox_message_status_due_at", "status", "due_at"),
        Index("ix_outbox_message_workspace_id_created_at", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("integration.id", ondelete="SET NULL"), index=True
    )
    event_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # template, text
    template_name: Mapped[str] = mapped_column(String(512), default="")  # "" for free-form text
    language: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    # The message as Meta takes it, without the recipient: {"type": "template", "template": {...}}.
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wamid: Mapped[str | None] = mapped_column(String(255), unique=True)
    error_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MessageTemplate(db.Model):
    """A message template of the WhatsApp Business Account, as Meta last listed it."""

    __tablename__ = "message_template"
    __table_args__ = (UniqueConstraint("integration_id", "name", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integration.id", ondelete="CASCADE"))
    meta_id: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str | None] = mapped_column(String(30))
    components: Mapped[list] = mapped_column(JSON, default=list)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Automation(db.Model):
    """A workspace's follow-up automation: on/off, the template it sends and the delay after its event."""

    __tablename__ = "automation"
    __table_args__ = (UniqueConstraint("workspace_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # order_confirmation, shipped
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    template_name: Mapped[str | None] = mapped_column(String(512))
    language: Mapped[str | None] = mapped_column(String(20))
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MessageRate(db.Model):
    """A workspace's own price for one (market, category) of Meta's rate card, replacing the default from
    `app/messaging/data/meta_rates.csv`. Absent rows mean the default applies."""

    __tablename__ = "message_rate"
    __table_args__ = (UniqueConstraint("workspace_id", "market", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    market: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(20))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 6))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
