"""The product feed for agentic shopping (OpenAI's Agentic Commerce Protocol), as rows and as bytes.

Two shapes of the same read (`app.catalog.feed.feed_variants`, the merchant's choices from
`workspace_settings.feed_settings`):

- `variants` (default): OpenAI's product feed file, one flat row per purchasable variant, with its required
  fields (`is_eligible_search`, `is_eligible_checkout` - always false: checkout is not hosted here -,
  `item_id`, `title`, `description`, `url`, `brand`, `price`, `availability`, `image_url`, `seller_name`,
  `target_countries`, `store_country`) and the optional ones the catalog knows; JSON Lines or CSV.
- `products`: ACP's `products.jsonl`, one `Product` object (schema.feed.json of ACP 2026-04-17) per line with
  its variants inside; prices in minor units.

A variant that cannot carry the required fields (no image, no price or currency) is left out: ChatGPT
refuses such rows. In a delta (`since`), a product that left the feed is still sent, marked the spec's way:
flat rows with `is_eligible_search: false` and `availability: out_of_stock`; products with every variant
`{"available": false, "status": "discontinued"}` (ACP defers deletions to that marking).
`encode()` turns rows into byte chunks (JSON Lines or CSV), gzip-compressed on request, so the route streams
with constant memory. No Flask requests here.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from app.catalog.feed import FeedChoice, FeedVariant, feed_variants, tag_set
from app.extensions import db
from app.models import Integration, Workspace
from app.services.workspace_settings import country_codes, feed_settings

CSV_COLUMNS = (
    "is_eligible_search", "is_eligible_checkout", "item_id", "title", "description", "url", "brand", "price",
    "sale_price", "availability", "inventory_quantity", "image_url", "additional_image_urls", "group_id",
    "listing_has_variations", "item_group_title", "color", "size", "product_category", "condition",
    "seller_name", "seller_url", "target_countries", "store_country",
)  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF"}  # fmt: skip
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FeedContext:
    """What every row of one workspace's feed shares: the seller, the markets and the product page hosts."""

    seller_name: str
    seller_url: str
    target_countries: list[str]
    store_country: str
    hosts: dict[int, str]  # integration id -> https://<shop domain>


def clean(value: str | None, limit: int | None = None) -> str:
    text = _CONTROL.sub("", value or "").strip()
    return text[:limit].rstrip() if limit else text


def plain_text(description_html: str | None, limit: int = 5000) -> str:
    text = re.sub(r"<[^>]+>", " ", description_html or "")
    return clean(re.sub(r"\s+", " ", html.unescape(text)), limit)


def context_for(workspace_id: int, fallback_url: str) -> tuple[FeedContext, FeedChoice, datetime | None]:
    settings = feed_settings(workspace_id)
    shops = db.session.execute(
        select(Integration.id, Integration.account_id).where(
            Integration.workspace_id == workspace_id, Integration.platform == "shopify"
        )
    ).all()
    hosts = {iid: f"https://{domain}" for iid, domain in shops if domain}
    seller_url = settings.store_url or next(iter(hosts.values()), None) or fallback_url.rstrip("/")
    name = clean(db.session.get(Workspace, workspace_id).name, 70) or "Shop"
    context = FeedContext(name, seller_url, country_codes(settings.target_countries) or ["US"],
                          settings.store_country or "US", hosts)  # fmt: skip
    choice = FeedChoice(
        settings.collection_id if settings.scope == "collection" else None, tag_set(settings.excluded_tags)
    )
    return context, choice, settings.updated_at


def _product_url(v: FeedVariant, ctx: FeedContext) -> str:
    base = ctx.hosts.get(v.integration_id) or ctx.seller_url
    return f"{base}/products/{v.handle or v.product_id}"


def _variant_url(v: FeedVariant, ctx: FeedContext) -> str:
    numeric = (v.shopify_variant_id or "").rsplit("/", 1)[-1]
    return f"{_product_url(v, ctx)}?variant={numeric if numeric.isdigit() else v.variant_id}"


def _images(v: FeedVariant) -> list[str]:
    urls = [m.url for m in v.media if m.kind == "IMAGE"] or [m.url for m in v.media]
    if v.image_url:
        urls = [v.image_url, *(u for u in urls if u != v.image_url)]
    return urls


def _title(v: FeedVariant, limit: int) -> str:
    title = clean(v.title)
    if v.variant_title and v.variant_title != "Default Title":
        title = f"{title} - {clean(v.variant_title)}"
    return clean(title, limit) or f"Product {v.product_id}"


def _option(v: FeedVariant, *names: str) -> str | None:
    for option in v.option_values or []:
        if isinstance(option, dict) and str(option.get("name", "")).strip().lower() in names:
            return clean(str(option.get("value") or ""), 40) or None
    return None


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


def flat_row(v: FeedVariant, ctx: FeedContext) -> dict | None:
    """OpenAI's product feed row for one variant, or None when it cannot carry the required fields."""
    images = _images(v)
    currency = (v.currency or "").upper()
    if not images or v.price is None or not re.fullmatch(r"[A-Z]{3}", currency):
        return None
    sale = v.compare_at_price is not None and v.compare_at_price > v.price
    row = {
        "is_eligible_search": v.listed,
        "is_eligible_checkout": False,
        "item_id": str(v.variant_id),
        "title": _title(v, 150),
        "description": plain_text(v.description_html) or clean(v.title, 5000) or f"Product {v.product_id}",
        "url": _variant_url(v, ctx),
        "brand": clean(v.vendor, 70) or ctx.seller_name,
        "price": _money(v.compare_at_price if sale else v.price, currency),
        "availability": "in_stock" if v.listed and v.available > 0 else "out_of_stock",
        "inventory_quantity": v.available if v.listed else 0,
        "image_url": images[0],
        "group_id": str(v.product_id),
        "listing_has_variations": v.variant_count > 1,
        "item_group_title": clean(v.title, 150) or f"Product {v.product_id}",
        "condition": "new",
        "seller_name": ctx.seller_name,
        "seller_url": ctx.seller_url,
        "target_countries": ctx.target_countries,
        "store_country": ctx.store_country,
    }
    if sale:
        row["sale_price"] = _money(v.price, currency)
    if len(images) > 1:
        row["additional_image_urls"] = ",".join(images[1:11])
    for field, names in (("color", ("color", "colour")), ("size", ("size",))):
        if value := _option(v, *names):
            row[field] = value
    if category := clean(v.product_type, 750):
        row["product_category"] = category
    return row


def minor_units(amount: Decimal, currency: str) -> int:
    exponent = 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2
    return int((amount * (10**exponent)).to_integral_value())


def _acp_variant(v: FeedVariant, ctx: FeedContext) -> dict:
    currency = (v.currency or "").upper()
    variant: dict = {"id": str(v.variant_id), "title": _title(v, 150), "url": _variant_url(v, ctx)}
    if v.price is not None and re.fullmatch(r"[A-Z]{3}", currency):
        variant["price"] = {"amount": max(minor_units(v.price, currency), 0), "currency": currency}
        if v.compare_at_price is not None and v.compare_at_price > v.price:
            variant["list_price"] = {
                "amount": minor_units(v.compare_at_price, currency),
                "currency": currency,
            }
    if not v.listed:
        variant["availability"] = {"available": False, "status": "discontinued"}
    else:
        variant["availability"] = {"available": v.available > 0,
                                   "status": "in_stock" if v.available > 0 else "out_of_stock"}  # fmt: skip
    options = [{"name": clean(str(o.get("name") or "")), "value": clean(str(o.get("value") or ""))}
               for o in v.option_values or [] if isinstance(o, dict)]  # fmt: skip
    if options := [o for o in options if o["name"] and o["value"] and o["value"] != "Default Title"]:
        variant["variant_options"] = options
    if v.image_url:
        variant["media"] = [{"type": "image", "url": v.image_url}]
    if category := clean(v.product_type):
        variant["categories"] = [{"value": category, "taxonomy": "merchant"}]
    variant["seller"] = {"name": ctx.seller_name}
    return variant


def _acp_product(first: FeedVariant, variants: list[dict], ctx: FeedContext) -> dict:
    product: dict = {"id": str(first.product_id), "title": clean(first.title) or f"Product {first.product_id}",
                     "url": _product_url(first, ctx)}  # fmt: skip
    if description := plain_text(first.description_html):
        product["description"] = {"plain": description}
    media = []
    for m in first.media:
        item = {"type": {"IMAGE": "image", "VIDEO": "video", "EXTERNAL_VIDEO": "video"}.get(m.kind, "model"),
                "url": m.url}  # fmt: skip
        if alt := clean(m.alt):
            item["alt_text"] = alt
        media.append(item)
    if media:
        product["media"] = media
    product["variants"] = variants
    return product


def rows(workspace_id: int, *, shape: str = "variants", since: datetime | None = None,
         fallback_url: str = "http://localhost") -> Iterator[dict]:  # fmt: skip
    """The feed's rows (flat variant rows, or ACP products), streamed from the database."""
    ctx, choice, _ = context_for(workspace_id, fallback_url)
    variants = feed_variants(workspace_id, choice, since=since)
    if shape == "variants":
        for v in variants:
            if (row := flat_row(v, ctx)) is not None:
                yield row
        return
    current: FeedVariant | None = None
    pending: list[dict] = []
    for v in variants:
        if current is not None and v.product_id != current.product_id:
            yield _acp_product(current, pending, ctx)
            pending = []
        current = v
        pending.append(_acp_variant(v, ctx))
    if current is not None:
        yield _acp_product(current, pending, ctx)


def is_full_snapshot(workspace_id: int, since: datetime | None) -> bool:
    """A delta from before the merchant changed the feed's choices cannot say what those changes removed:
    such a read is answered as a full snapshot (replace everything) instead."""
    if since is None:
        return True
    changed = feed_settings(workspace_id).updated_at
    return changed is not None and changed > since


def _csv_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return "" if value is None else str(value)


def _lines(items: Iterable[dict], fmt: str) -> Iterator[str]:
    if fmt == "jsonl":
        for item in items:
            yield json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow([_csv_value(item.get(column)) for column in CSV_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def encode(items: Iterable[dict], fmt: str = "jsonl", *, gzip: bool = False) -> Iterator[bytes]:
    """Rows as byte chunks of about 64 KB: JSON Lines or CSV (header first), gzip-compressed if asked."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if gzip else None
    parts: list[bytes] = []
    size = 0
    for line in _lines(items, fmt):
        data = line.encode("utf-8")
        parts.append(data)
        size += len(data)
        if size >= CHUNK:
            chunk = b"".join(parts)
            parts, size = [], 0
            chunk = compressor.compress(chunk) if compressor else chunk
            if chunk:
                yield chunk
    tail = b"".join(parts)
    if compressor:
        tail = compressor.compress(tail) + compressor.flush()
    if tail:
        yield tail
