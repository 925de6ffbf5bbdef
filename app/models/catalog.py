"""Products, variants, their media and categories: the one catalog every channel sells from.

Stock lives on variants. `Product.images` keeps the images' URLs and alt texts in Shopify's order (what the
channels and agents show); `ProductMedia` holds every media item with its Shopify id and type.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

Money = Numeric(12, 2)


class ProductCategory(db.Model):
    __tablename__ = "product_category"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Product(db.Model):
    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("workspace_id", "shopify_product_id"),
        Index("ix_product_workspace_id_updated_at", "workspace_id", "updated_at"),
        # A status filter matching few rows (drafts, archived) walks this instead of scanning (migration 0003).
        Index("ix_product_workspace_id_status_updated_at", "workspace_id", "status", "updated_at"),
        Index("ix_product_workspace_id_title", "workspace_id", "title"),
        # The price sort walks this index (NULL prices are listed after priced ones, see app.catalog.listing).
        Index("ix_product_workspace_id_price_min_id", "workspace_id", "price_min", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    # The store the product was synced from (a workspace may connect several): sweeps, counts and audits
    # of a sync are per store. NULL for products made in the app. No foreign key (migration 0010): a
    # trigger on `integration` sets it to NULL when that store's row is deleted.
    integration_id: Mapped[int | None] = mapped_column(Integer, index=True)
    shopify_product_id: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(500))
    handle: Mapped[str | None] = mapped_column(String(500), index=True)
    description_html: Mapped[str | None] = mapped_column(Text)
    vendor: Mapped[str | None] = mapped_column(String(255))
    product_type: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="active")
    # Comma-separated, as Shopify writes them; searched as text, not filtered as JSON.
    tags: Mapped[str | None] = mapped_column(Text)
    price_min: Mapped[Decimal | None] = mapped_column(Money)
    price_max: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    images: Mapped[list] = mapped_column(JSON, default=list)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_category.id", ondelete="SET NULL"), index=True
    )
    # {"shopify": {"synced", "product_id", "last_sync_at", "updated_at"}, "facebook": {...}}
    platform_sync: Mapped[dict] = mapped_column(JSON, default=dict)
    # The platform's updated_at: an older delivery never overwrites a newer one.
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a Shopify sync or webhook last saw this product; a full sync soft-deletes what it did not see.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", order_by="ProductVariant.position", cascade="all, delete-orphan"
    )
    category: Mapped[ProductCategory | None] = relationship()
    media: Mapped[list[ProductMedia]] = relationship(
        order_by="ProductMedia.position", cascade="all, delete-orphan", passive_deletes=True
    )


class ProductMedia(db.Model):
    """One media item of a product (image, video, 3D model), in Shopify's order (`position` from 1)."""

    __tablename__ = "product_media"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    # MediaImage / Video / ExternalVideo / Model3d GID; NULL for images carried over from before media rows.
    shopify_media_id: Mapped[str | None] = mapped_column(String(100))
    media_type: Mapped[str] = mapped_column(String(20), default="IMAGE")  # Shopify's MediaContentType
    # The image, or a video's / model's preview image.
    url: Mapped[str | None] = mapped_column(Text)
    alt: Mapped[str | None] = mapped_column(Text)


class ProductVariant(db.Model):
    __tablename__ = "product_variant"
    __table_args__ = (
        UniqueConstraint("workspace_id", "shopify_variant_id"),
        Index("ix_product_variant_workspace_id_sku", "workspace_id", "sku"),
        Index("ix_product_variant_workspace_id_inventory_item_id", "workspace_id", "inventory_item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    shopify_variant_id: Mapped[str | None] = mapped_column(String(100))
    sku: Mapped[str | None] = mapped_column(String(255))
    # GTIN/UPC/ISBN as the merchant typed it (Shopify's empty barcode is NULL here, as an empty SKU is).
    barcode: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="Default Title")
    position: Mapped[int] = mapped_column(Integer, default=1)
    price: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    compare_at_price: Mapped[Decimal | None] = mapped_column(Money)
    inventory_quantity: Mapped[int] = mapped_column(Integer, default=0)
    inventory_item_id: Mapped[str | None] = mapped_column(String(100))
    # When Shopify's level behind `inventory_quantity` was set (inventory_levels/update `updated_at`): an
    # older delivery never overwrites a newer level. Null until a timestamped level arrives.
    inventory_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"name": "Size", "value": "M"}, ...] as Shopify's selectedOptions.
    option_values: Mapped[list] = mapped_column(JSON, default=list)
    # The variant's own image (its first media item in Shopify), if it has one.
    image_media_id: Mapped[str | None] = mapped_column(String(100))
    image_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(back_populates="variants")


class ProductStock(db.Model):
    """What a product could sell with nothing reserved: the sum of its variants' `max(inventory_quantity, 0)`.

    Kept by database triggers on `product` and `product_variant` (migrations 0004, 0006); the app only writes
    the zero row of a product the set-based catalog writer creates without variants (`catalog_writer`);
    its own table so a stock change does not rewrite the product row. The stock sort walks its index.
    """

    __tablename__ = "product_stock"
    __table_args__ = (
        Index("ix_product_stock_workspace_id_on_hand_product_id", "workspace_id", "on_hand", "product_id"),
    )

    # No foreign keys (migration 0006): a product's deletion deletes its row by trigger, and the rows are
    # only ever written by triggers, from product and variant rows.
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    workspace_id: Mapped[int] = mapped_column(Integer)
    on_hand: Mapped[int] = mapped_column(Integer, server_default="0")
