"""What a product's page shows beyond its own columns: its media in Shopify's order, each variant's image,
and its stock at every location of its store, with which locations the channels sell from.

Read only; the figures are Shopify's per-location quantities as synced (`variant_location_stock`), and the
"sold from" mark is the stock rule's (`app.catalog.stock.sells_from`). Image URLs pass `web_url` (http(s)
only). Must not read the request or render anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nh3
from flask import current_app
from markupsafe import Markup
from sqlalchemy import func, select

from app.catalog.stock import sells_from
from app.extensions import db
from app.models import Integration, Location, Product, ProductMedia, VariantLocationStock
from app.models.scoping import WorkspaceScope
from app.services.links import web_url

# What a product description may keep of Shopify's `descriptionHtml`: text formatting, lists, tables, links
# and images. nh3 (ammonia) drops scripts, styles, event handlers and `javascript:` URLs, and adds
# rel="noopener noreferrer" to links.
_DESCRIPTION_TAGS = {
    "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "small", "sub", "sup", "span", "div", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
    "tr", "th", "td", "a", "img", "code", "pre",
}  # fmt: skip
_DESCRIPTION_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "*": set()}


def description(product: Product) -> Markup | None:
    """Shopify's description HTML, sanitised to safe markup (None when empty)."""
    raw = (product.description_html or "").strip()
    if not raw:
        return None
    clean = nh3.clean(
        raw,
        tags=_DESCRIPTION_TAGS,
        attributes=_DESCRIPTION_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )
    return Markup(clean) if clean.strip() else None


def numeric_id(gid: str | None) -> str | None:
    """The number at the end of a Shopify GID (`gid://shopify/Product/123` -> "123"), or None."""
    tail = (gid or "").rsplit("/", 1)[-1]
    return tail if tail.isdigit() else None


def shopify_admin_url(scope: WorkspaceScope, product: Product) -> str | None:
    """The product's page in its store's Shopify admin, when it came from a store."""
    number = numeric_id(product.shopify_product_id)
    if number is None or not product.integration_id:
        return None
    store = scope.get(Integration, product.integration_id)
    domain = (store.account_id or "").strip().lower() if store and store.platform == "shopify" else ""
    return web_url(f"https://{domain}/admin/products/{number}") if domain else None


def thumbnails(scope: WorkspaceScope, product_ids: list[int]) -> dict[int, dict]:
    """{product id: {"url", "alt"}} of each product's first image, for a list page, in one query."""
    if not product_ids:
        return {}
    first = (
        select(ProductMedia.product_id, func.min(ProductMedia.position).label("position"))
        .where(ProductMedia.workspace_id == scope.workspace_id, ProductMedia.product_id.in_(product_ids),
               ProductMedia.url.is_not(None))
        .group_by(ProductMedia.product_id)
        .subquery()
    )  # fmt: skip
    rows = db.session.execute(
        select(ProductMedia.product_id, ProductMedia.url, ProductMedia.alt).join(
            first,
            (first.c.product_id == ProductMedia.product_id) & (first.c.position == ProductMedia.position),
        )
    )
    found = {}
    own = current_app.config.get("APP_URL", "").rstrip("/") + "/"
    for product_id, url, alt in rows:
        url = web_url(url)
        # Only images the page's Content-Security-Policy loads (img-src 'self' https:): a plain-http image
        # would be a blocked request and a broken picture on every row.
        if url and (url.startswith("https://") or url.startswith(own)):
            found[product_id] = {"url": url, "alt": alt or ""}
    return found


def media_rows(product: Product) -> list[dict]:
    """The product's media by position: type, image URL (None when unsafe or absent), alt text."""
    return [
        {"position": m.position, "type": (m.media_type or "IMAGE").upper(), "url": web_url(m.url), "alt": m.alt or "",
         "media_id": m.shopify_media_id}
        for m in product.media
    ]  # fmt: skip


def variant_images(product: Product) -> dict[int, dict]:
    """{variant id: {"url", "alt"}} of the variants with an image of their own; the alt text is the media
    item's, else the variant's title."""
    alts = {m.shopify_media_id: m.alt for m in product.media if m.shopify_media_id}
    images = {}
    for variant in product.variants:
        url = web_url(variant.image_url)
        if url:
            images[variant.id] = {"url": url, "alt": alts.get(variant.image_media_id) or variant.title or ""}
    return images


@dataclass
class LocationStock:
    # (location, sold from) of the product's store, by name
    locations: list[tuple[Location, bool]] = field(default_factory=list)
    # variant id -> location id -> (on hand, available, committed)
    levels: dict[int, dict[int, tuple[int, int, int]]] = field(default_factory=dict)
    # location id -> {"on_hand", "available", "committed", "variants"} over the product's variants
    totals: dict[int, dict[str, int]] = field(default_factory=dict)


def location_stock(scope: WorkspaceScope, product: Product) -> LocationStock:
    """Stock of each of the product's variants at each location of its store (and any other location holding
    a level of it), in two queries."""
    variant_ids = [v.id for v in product.variants]
    result = LocationStock()
    if not variant_ids:
        return result
    rows = db.session.execute(
        select(VariantLocationStock.variant_id, VariantLocationStock.location_id, VariantLocationStock.on_hand,
               VariantLocationStock.available, VariantLocationStock.committed)
        .where(VariantLocationStock.workspace_id == scope.workspace_id,
               VariantLocationStock.variant_id.in_(variant_ids))
    ).all()  # fmt: skip
    holding = set()
    for variant_id, location_id, on_hand, left, committed in rows:
        result.levels.setdefault(variant_id, {})[location_id] = (on_hand or 0, left or 0, committed or 0)
        total = result.totals.setdefault(
            location_id, {"on_hand": 0, "available": 0, "committed": 0, "variants": 0}
        )
        total["on_hand"] += on_hand or 0
        total["available"] += left or 0
        total["committed"] += committed or 0
        total["variants"] += 1
        holding.add(location_id)
    criteria = [Location.id.in_(holding)] if holding else [Location.id.is_(None)]
    if product.integration_id:
        criteria = [Location.id.in_(holding) | (Location.integration_id == product.integration_id)]
    stmt = scope.select(Location, *criteria).add_columns(sells_from()).order_by(Location.name, Location.id)
    result.locations = [(location, bool(sold)) for location, sold in db.session.execute(stmt)]
    return result
