"""Orders from every channel, their line items, and (Shopify orders) their fulfillments and refunds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.catalog import Money
from app.models.types import UTCDateTime, utcnow

SOURCE_PLATFORMS = ("shopify", "whatsapp", "facebook", "agent")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("workspace_id", "source_platform", "external_id"),
        Index("ix_orders_workspace_id_created_at", "workspace_id", "created_at"),
        Index("ix_orders_workspace_id_checkout_token", "workspace_id", "checkout_token"),
        Index("ix_orders_workspace_id_checkout_id", "workspace_id", "checkout_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id", ondelete="SET NULL"))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    source_platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(100))
    number: Mapped[str | None] = mapped_column(String(50))
    # draft (agent/WhatsApp cart, stock reserved), open, committed, cancelled.
    status: Mapped[str] = mapped_column(String(20), default="open")
    customer_name: Mapped[str | None] = mapped_column(String(255))
    customer_phone: Mapped[str | None] = mapped_column(String(50), index=True)
    customer_email: Mapped[str | None] = mapped_column(String(255), index=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    subtotal_price: Mapped[Decimal | None] = mapped_column(Money)
    total_price: Mapped[Decimal | None] = mapped_column(Money)
    financial_status: Mapped[str | None] = mapped_column(String(50))
    fulfillment_status: Mapped[str | None] = mapped_column(String(50))
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The checkout this order completed (Shopify's `checkout_token`; `checkout_id` as an AbandonedCheckout
    # GID): how an abandoned-checkout reminder learns that its order arrived.
    checkout_token: Mapped[str | None] = mapped_column(String(100))
    checkout_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[OrderItem]] = relationship(back_populates="order", cascade="all, delete-orphan")
    fulfillments: Mapped[list[OrderFulfillment]] = relationship(
        order_by="OrderFulfillment.created_at", cascade="all, delete-orphan", passive_deletes=True
    )
    refunds: Mapped[list[OrderRefund]] = relationship(
        order_by="OrderRefund.created_at", cascade="all, delete-orphan", passive_deletes=True
    )


class OrderItem(db.Model):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variant.id", ondelete="SET NULL"), index=True
    )
    # Indexed: deleting products (a shop's redaction deletes them all) sets their items' product_id to NULL.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal | None] = mapped_column(Money)
    total_price: Mapped[Decimal | None] = mapped_column(Money)

    order: Mapped[Order] = relationship(back_populates="items")


class OrderFulfillment(db.Model):
    """A shipment of (part of) a Shopify order. The first tracking number is in columns (what the WhatsApp
    shipping update sends); `tracking` holds every one Shopify lists, as [{company, number, url}]."""

    __tablename__ = "order_fulfillment"
    __table_args__ = (UniqueConstraint("order_id", "shopify_fulfillment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    shopify_fulfillment_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str | None] = mapped_column(String(30))  # Shopify's FulfillmentStatus, lower case
    # Where the carrier says the parcel is (REST `shipment_status`, GraphQL `displayStatus`, lower case):
    # in_transit, out_for_delivery, delivered, failure...; None when Shopify tracks no carrier for it.
    shipment_status: Mapped[str | None] = mapped_column(String(30))
    tracking_company: Mapped[str | None] = mapped_column(String(255))
    tracking_number: Mapped[str | None] = mapped_column(String(255))
    tracking_url: Mapped[str | None] = mapped_column(Text)
    tracking: Mapped[list] = mapped_column(JSON, default=list)
    # Shopify's times, not ours.
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderRefund(db.Model):
    """A refund of a Shopify order; `line_items` lists what it refunded as
    [{line_item_id, quantity, subtotal}] (a refund of shipping or an amount alone lists none)."""

    __tablename__ = "order_refund"
    __table_args__ = (UniqueConstraint("order_id", "shopify_refund_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    shopify_refund_id: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(Text)
    line_items: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
