"""The merchant's product feed choices (one row per workspace): which products the agentic-commerce feed
lists and for which markets. Read by `app.catalog.feed`, written by `app.services.workspace_settings`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class ProductFeedSettings(db.Model):
    __tablename__ = "product_feed_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    # "all" active products, or only those of `collection_id` ("collection").
    scope: Mapped[str] = mapped_column(String(20), default="all")
    collection_id: Mapped[int | None] = mapped_column(
        ForeignKey("collection.id", ondelete="SET NULL"), index=True
    )
    # Comma-separated tags: a product carrying any of them stays out of the feed.
    excluded_tags: Mapped[str | None] = mapped_column(Text)
    # Comma-separated ISO 3166-1 alpha-2 codes the products are offered in, and the store's own country.
    target_countries: Mapped[str] = mapped_column(String(500), default="US")
    store_country: Mapped[str] = mapped_column(String(2), default="US")
    # The shop's public address (product pages live under it); default: the Shopify store's domain.
    store_url: Mapped[str | None] = mapped_column(String(500))
    # When the choices last changed: a delta asked from before then is answered as a full snapshot.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
