"""Collections (Shopify's custom and smart product groupings) and which products each one holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Collection(db.Model):
    __tablename__ = "collection"
    __table_args__ = (UniqueConstraint("workspace_id", "shopify_collection_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("integration.id", ondelete="SET NULL"), index=True
    )
    shopify_collection_id: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    handle: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10))  # "custom" (chosen by hand) or "smart" (by rules)
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a collections sync of its store last saw it; one that did not see it deletes it.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CollectionProduct(db.Model):
    """A product in a collection, at its place in the collection's order (from 1)."""

    __tablename__ = "collection_product"
    __table_args__ = (Index("ix_collection_product_product_id", "product_id"),)

    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
