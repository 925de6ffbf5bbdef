"""Shopify locations (where a shop keeps stock) and each variant's stock at each of them.

`variant_location_stock` holds Shopify's quantities per variant per location as last synced or delivered.
What a variant sells (`product_variant.inventory_quantity`) is derived from these rows by the one stock rule
in `app.catalog.stock`; nothing here decides which locations count.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Location(db.Model):
    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("integration_id", "shopify_location_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integration.id", ondelete="CASCADE"))
    shopify_location_id: Mapped[str] = mapped_column(String(100))  # gid://shopify/Location/<n>
    name: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    fulfills_online_orders: Mapped[bool] = mapped_column(Boolean, default=True)
    # The merchant's choice to sell this location's stock on the channels: None = the default rule (an active
    # location that fulfils online orders). Read through `app.catalog.stock.sells_from`, never directly.
    sell_from: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VariantLocationStock(db.Model):
    """One variant's stock at one location, in Shopify's quantity names."""

    __tablename__ = "variant_location_stock"
    __table_args__ = (Index("ix_variant_location_stock_location_id", "location_id"),)

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variant.id", ondelete="CASCADE"), primary_key=True
    )
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    available: Mapped[int] = mapped_column(Integer, default=0)
    committed: Mapped[int] = mapped_column(Integer, default=0)
    # When Shopify's level changed (inventory_levels/update `updated_at`): an older delivery is ignored.
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
