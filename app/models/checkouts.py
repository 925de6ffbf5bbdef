"""Shopify checkouts (from `checkouts/create|update` webhooks and the `abandonedCheckouts` query): what the
abandoned-checkout reminder needs, and the link to the order that completed it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.catalog import Money
from app.models.types import UTCDateTime, utcnow


class Checkout(db.Model):
    """One checkout of a shop. `shopify_checkout_id` is `gid://shopify/AbandonedCheckout/<id>` whichever
    source wrote it (the REST body's numeric `id` is the same checkout); `token` comes only with webhooks.
    `last_activity_at` is Shopify's `updated_at`: the reminder is due a delay after it."""

    __tablename__ = "checkout"
    __table_args__ = (
        UniqueConstraint("workspace_id", "shopify_checkout_id"),
        Index("ix_checkout_workspace_id_last_activity_at", "workspace_id", "last_activity_at"),
        Index("ix_checkout_workspace_id_token", "workspace_id", "token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("integration.id", ondelete="SET NULL"), index=True
    )
    shopify_checkout_id: Mapped[str] = mapped_column(String(100))
    token: Mapped[str | None] = mapped_column(String(100))
    cart_token: Mapped[str | None] = mapped_column(String(100))
    customer_gid: Mapped[str | None] = mapped_column(String(100))
    customer_name: Mapped[str | None] = mapped_column(String(255))
    customer_phone: Mapped[str | None] = mapped_column(String(50))
    customer_email: Mapped[str | None] = mapped_column(String(255))
    line_items_summary: Mapped[str | None] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    total_price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    recovery_url: Mapped[str | None] = mapped_column(Text)  # Shopify's abandoned_checkout_url
    # Shopify's times.
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    # None (not decided yet), queued (the reminder row exists), refused (consent or no phone at its time),
    # ordered (its order came first).
    reminder_status: Mapped[str | None] = mapped_column(String(20))
    # The one reminder of this checkout (however often it is re-delivered or the template changes).
    reminder_outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
