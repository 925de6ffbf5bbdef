"""Catalog tools: product_search, get_product, check_availability.

Thin: argument schemas, then calls into `app.catalog` (the one catalog search and the one stock rule the
dashboard also reads), through the context's `WorkspaceScope`; stock numbers are *available* stock (on hand
minus active reservations). Must not write anything.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import func

from agent_tools.registry import ToolContext, ToolError, tool
from app.catalog import search as search_backend
from app.catalog.stock import stock_levels
from app.models import Product, ProductVariant
from app.params import MAX_ARG_LENGTH, DbId, Quantity, Text
from app.platforms.meta_catalog import retailer_id_for

MAX_VARIANTS_SHOWN = 10
DESCRIPTION_MAX = 1200


def _short(value: str | None, limit: int) -> str | None:
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else None


def retailer_id(variant: ProductVariant) -> str | None:
    """The Meta catalog / WhatsApp id of a variant (`variant-<numeric id>`), None if not from Shopify."""
    try:
        return retailer_id_for(variant.shopify_variant_id) if variant.shopify_variant_id else None
    except ValueError:
        return None


def money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def image_url(product: Product) -> str | None:
    for image in product.images or []:
        url = image.get("url") if isinstance(image, dict) else image
        if url:
            return url
    return None


def variant_card(variant: ProductVariant, level) -> dict:
    return {
        "variant_id": variant.id,
        "title": variant.title,
        "sku": variant.sku,
        "price": money(variant.price),
        "options": {
            o.get("name"): o.get("value") for o in variant.option_values or [] if isinstance(o, dict)
        },
        "available": level.available if level else 0,
        "retailer_id": retailer_id(variant),
    }


def product_cards(
    ctx: ToolContext, product_ids: list[int], *, max_variants: int = MAX_VARIANTS_SHOWN
) -> list[dict]:
    """Result cards for products of the context's workspace, in the order of `product_ids` (3 queries)."""
    if not product_ids:
        return []
    products = {p.id: p for p in ctx.scope.all(Product, Product.id.in_(product_ids))}
    variants = ctx.scope.all(ProductVariant, ProductVariant.product_id.in_(list(products)))
    variants.sort(key=lambda v: (v.position, v.id))
    levels = stock_levels(ctx.scope, [v.id for v in variants])
    by_product: dict[int, list[ProductVariant]] = {}
    for v in variants:
        by_product.setdefault(v.product_id, []).append(v)
    cards = []
    for pid in product_ids:
        product = products.get(pid)
        if product is None:
            continue
        own = by_product.get(pid, [])
        shown = [variant_card(v, levels.get(v.id)) for v in own]
        available = sum(v["available"] for v in shown)
        options: dict[str, list[str]] = {}
        for v in shown:
            for name, value in v["options"].items():
                if name and value and value not in options.setdefault(name, []):
                    options[name].append(value)
        first_in_stock = next((v for v in shown if v["available"] > 0), shown[0] if shown else None)
        cards.append(
            {
                "product_id": product.id,
                "handle": product.handle,
                "title": product.title,
                "vendor": product.vendor,
                "product_type": product.product_type,
                "price_min": money(product.price_min),
                "price_max": money(product.price_max),
                "currency": product.currency,
                "image_url": image_url(product),
                "available": available,
                "in_stock": available > 0,
                "retailer_id": first_in_stock["retailer_id"] if first_in_stock else None,
                "options": {
                    k: v for k, v in options.items() if not (k == "Title" and v == ["Default Title"])
                },
                "variants": shown[:max_variants],
                "variants_total": len(shown),
            }
        )
    return cards


class ProductSearchInput(BaseModel):
    """Search the shop's catalog. Returns ranked products with price range, available stock and variants."""

    query: Text(MAX_ARG_LENGTH) = Field(
        description="What the customer is looking for: product name, type, brand, colour, material or SKU. "
        "Use an empty string to browse a category."
    )
    category: Text(255) | None = Field(None, description="Only this category or product type (e.g. 'Shoes').")
    collection: Text(255) | None = Field(
        None,
        description="Only products in this collection of the shop, by its handle or title (e.g. 'Summer sale').",
    )
    price_min: float | None = Field(None, ge=0, description="Lowest acceptable price, in the shop currency.")
    price_max: float | None = Field(None, ge=0, description="Highest acceptable price, in the shop currency.")
    in_stock_only: bool | None = Field(
        None, description="True to leave out products that cannot be sold now."
    )
    limit: int | None = Field(None, ge=1, le=20, description="How many products to return (default 5).")

    @field_validator("query")
    @classmethod
    def _trim(cls, value: str) -> str:
        return value.strip()[:200]


@tool("product_search", ProductSearchInput, ProductSearchInput.__doc__, scope="catalog:read", read_only=True)
def product_search(args: ProductSearchInput, ctx: ToolContext) -> dict:
    filters = search_backend.Filters(
        category=_short(args.category, 100),
        collection=_short(args.collection, 255),
        price_min=Decimal(str(args.price_min)) if args.price_min is not None else None,
        price_max=Decimal(str(args.price_max)) if args.price_max is not None else None,
        in_stock_only=bool(args.in_stock_only),
        limit=args.limit or 5,
    )
    hits = search_backend.search(ctx.workspace_id, args.query, filters)
    cards = product_cards(ctx, [h.product_id for h in hits], max_variants=5)
    matched = {h.product_id: h.matched_by for h in hits}
    for card in cards:
        card["matched_by"] = matched[card["product_id"]]
    return {"query": args.query, "count": len(cards), "products": cards}


class GetProductInput(BaseModel):
    """Full details of one product (description, every variant with options, stock and price, images)."""

    product_id: DbId | None = Field(None, description="The product_id from product_search.")
    handle: Text(255) | None = Field(None, description="The product handle, if the id is not known.")

    @model_validator(mode="after")
    def _one_key(self):
        if self.product_id is None and not (self.handle or "").strip():
            raise ValueError("give product_id or handle")
        return self


def _plain(description_html: str | None) -> str | None:
    text = re.sub(r"<[^>]+>", " ", description_html or "")
    text = re.sub(r"\s+", " ", html.unescape(text)).strip()
    return text[:DESCRIPTION_MAX] or None


def load_product(ctx: ToolContext, product_id: int | None, handle: str | None = None) -> Product:
    product = None
    if product_id is not None:
        product = ctx.scope.get(Product, product_id)
    elif handle:
        product = ctx.scope.all(Product, func.lower(Product.handle) == handle.strip().lower())
        product = product[0] if product else None
    if product is None or product.deleted_at is not None:
        raise ToolError("not_found", f"No product {product_id or handle!r} in this shop. Use product_search.")
    return product


@tool("get_product", GetProductInput, GetProductInput.__doc__, scope="catalog:read", read_only=True)
def get_product(args: GetProductInput, ctx: ToolContext) -> dict:
    product = load_product(ctx, args.product_id, args.handle)
    card = product_cards(ctx, [product.id], max_variants=100)[0]
    card["description"] = _plain(product.description_html)
    card["tags"] = [t.strip() for t in (product.tags or "").split(",") if t.strip()]
    card["images"] = [i.get("url") for i in product.images or [] if isinstance(i, dict) and i.get("url")][:10]
    card["status"] = product.status
    return card


class CheckAvailabilityInput(BaseModel):
    """Check whether a quantity of one variant (by variant_id or SKU) can be sold right now."""

    variant_id: DbId | None = Field(None, description="The variant_id from product_search or get_product.")
    sku: Text(255) | None = Field(None, description="The variant's SKU, if the variant_id is not known.")
    quantity: Quantity | None = Field(
        None, ge=1, le=1000, description="How many the customer wants (default 1)."
    )

    @model_validator(mode="after")
    def _one_key(self):
        if self.variant_id is None and not (self.sku or "").strip():
            raise ValueError("give variant_id or sku")
        return self


def load_variant(ctx: ToolContext, variant_id: int | None, sku: str | None = None) -> ProductVariant:
    variant = None
    if variant_id is not None:
        variant = ctx.scope.get(ProductVariant, variant_id)
    elif sku:
        found = ctx.scope.all(ProductVariant, ProductVariant.sku == sku.strip())
        variant = found[0] if found else None
    if variant is None or variant.product.deleted_at is not None:
        raise ToolError("not_found", f"No variant {variant_id or sku!r} in this shop. Use product_search.")
    return variant


@tool(
    "check_availability",
    CheckAvailabilityInput,
    CheckAvailabilityInput.__doc__,
    scope="catalog:read",
    read_only=True,
)
def check_availability(args: CheckAvailabilityInput, ctx: ToolContext) -> dict:
    variant = load_variant(ctx, args.variant_id, args.sku)
    wanted = args.quantity or 1
    level = stock_levels(ctx.scope, [variant.id]).get(variant.id)
    card = variant_card(variant, level)
    sellable = variant.product.status == "active"
    return {
        **card,
        "product_id": variant.product_id,
        "product_title": variant.product.title,
        "currency": variant.product.currency,
        "requested": wanted,
        "can_sell": sellable and card["available"] >= wanted,
        "reserved_by_others": level.reserved if level else 0,
    }
