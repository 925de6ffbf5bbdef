"""The product feed read: every purchasable variant of a workspace, with its product, available stock and
media, streamed in keyset batches so a catalog of any size is read in constant memory.

`feed_variants(workspace_id, choice)` yields one `FeedVariant` per variant of the products in the feed (active,
not deleted, in the chosen collection, carrying none of the excluded tags), in (product id, position, id)
order, so a product's variants come together. With `since`, it yields the variants of every product that
changed after that time instead, each marked `listed` (still in the feed) or not (it left the feed: deleted,
drafted, archived, tagged out or out of the collection). "Changed" is: the product row, one of its variants
(stock included: `inventory_quantity` is stored on the variant), or a reservation on one of its variants
was written after `since`, or such a reservation expired since then. Available stock is the one stock rule
(`app.catalog.stock`). Reads only; plain rows out, no formatting (that is `app.services.product_feed`'s).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, exists, func, literal, or_, select, tuple_, union

from app.catalog.stock import available, held_by
from app.extensions import db
from app.models import CollectionProduct, Product, ProductMedia, ProductVariant, Reservation
from app.models.types import utcnow

BATCH = 1000


@dataclass(frozen=True)
class FeedChoice:
    """What the merchant put in the feed: a collection (None: every product) and tags that keep one out."""

    collection_id: int | None = None
    excluded_tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Media:
    url: str
    alt: str | None
    kind: str  # Shopify's media content type: IMAGE, VIDEO, EXTERNAL_VIDEO, MODEL_3D


@dataclass(frozen=True)
class FeedVariant:
    product_id: int
    title: str
    handle: str | None
    description_html: str | None
    vendor: str | None
    product_type: str | None
    tags: str | None
    currency: str | None
    integration_id: int | None
    variant_id: int
    variant_title: str | None
    sku: str | None
    shopify_variant_id: str | None
    price: Decimal | None
    compare_at_price: Decimal | None
    option_values: list
    image_url: str | None
    available: int
    variant_count: int
    listed: bool
    media: tuple[Media, ...]


def tag_set(tags: str | None) -> frozenset[str]:
    return frozenset(t.strip().lower() for t in (tags or "").split(",") if t.strip())


def _in_collection(collection_id: int):
    return exists().where(
        CollectionProduct.collection_id == collection_id, CollectionProduct.product_id == Product.id
    )


def _listed_criteria(choice: FeedChoice) -> list:
    criteria = [Product.status == "active", Product.deleted_at.is_(None)]
    if choice.collection_id is not None:
        criteria.append(_in_collection(choice.collection_id))
    return criteria


def changed_products(workspace_id: int, since: datetime, now: datetime):
    """A SELECT of the ids of the workspace's products changed after `since` (see the module docstring)."""
    held = (
        select(ProductVariant.product_id)
        .join(Reservation, Reservation.variant_id == ProductVariant.id)
        .where(
            Reservation.workspace_id == workspace_id,
            or_(
                Reservation.updated_at > since,
                and_(Reservation.expires_at > since, Reservation.expires_at <= now),
            ),
        )
    )
    return union(
        select(Product.id).where(Product.workspace_id == workspace_id, Product.updated_at > since),
        select(ProductVariant.product_id).where(
            ProductVariant.workspace_id == workspace_id, ProductVariant.updated_at > since
        ),
        held,
    )


def _statement(workspace_id: int, choice: FeedChoice, since: datetime | None, now: datetime):
    variant_count = (
        select(func.count())
        .where(ProductVariant.product_id == Product.id)
        .correlate(Product)
        .scalar_subquery()
    )
    variant = ProductVariant
    listed = and_(*_listed_criteria(choice))
    stmt = (
        select(
            Product.id,
            Product.title,
            Product.handle,
            Product.description_html,
            Product.vendor,
            Product.product_type,
            Product.tags,
            Product.currency,
            Product.integration_id,
            variant.id,
            variant.title,
            variant.sku,
            variant.shopify_variant_id,
            variant.price,
            variant.compare_at_price,
            variant.option_values,
            variant.image_url,
            available(variant.inventory_quantity, held_by(variant, now)),
            variant_count,
            listed if since is not None else literal(True),
            variant.position,
        )  # fmt: skip
        .join(Product, Product.id == variant.product_id)
        .where(variant.workspace_id == workspace_id, Product.workspace_id == workspace_id)
        .order_by(Product.id, variant.position, variant.id)
    )
    if since is None:
        return stmt.where(listed)
    return stmt.where(Product.id.in_(changed_products(workspace_id, since, now)))


def _media(product_ids: list[int]) -> dict[int, tuple[Media, ...]]:
    rows = db.session.execute(
        select(ProductMedia.product_id, ProductMedia.url, ProductMedia.alt, ProductMedia.media_type)
        .where(
            ProductMedia.product_id.in_(product_ids), ProductMedia.url.is_not(None), ProductMedia.url != ""
        )
        .order_by(ProductMedia.product_id, ProductMedia.position)
    )
    found: dict[int, list[Media]] = {}
    for product_id, url, alt, kind in rows:
        found.setdefault(product_id, []).append(Media(url, alt, kind or "IMAGE"))
    return {pid: tuple(items) for pid, items in found.items()}


def feed_variants(
    workspace_id: int,
    choice: FeedChoice,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
    batch: int = BATCH,
) -> Iterator[FeedVariant]:
    """Every variant in the feed (or, with `since`, of every product changed since then), batch by batch."""
    now = now or utcnow()
    base = _statement(workspace_id, choice, since, now)
    after = None
    media: dict[int, tuple[Media, ...]] = {}
    while True:
        stmt = (
            base
            if after is None
            else base.where(tuple_(Product.id, ProductVariant.position, ProductVariant.id) > after)
        )
        rows = db.session.execute(stmt.limit(batch)).all()
        # A read transaction per batch: nothing is held open between batches, and the session keeps no rows.
        db.session.rollback()
        if not rows:
            return
        needed = sorted({r[0] for r in rows} - set(media))
        if needed:
            media.update(_media(needed))
        for row in rows:
            listed = bool(row[19]) and not (choice.excluded_tags & tag_set(row[6]))
            if since is None and not listed:
                continue
            yield FeedVariant(*row[:17], available=int(row[17] or 0), variant_count=int(row[18] or 0),
                              listed=listed, media=media.get(row[0], ()))  # fmt: skip
        if len(rows) < batch:
            return
        last = rows[-1]
        media = {last[0]: media.get(last[0], ())}  # only the product that may go on into the next batch
        after = tuple_(last[0], last[20], last[9])
