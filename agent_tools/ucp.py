"""The catalog and order tools under UCP's names (Universal Commerce Protocol, release 2026-04-08):
`search_catalog`, `lookup_catalog`, `get_product`, `get_order`, with UCP's arguments (`meta`, `catalog`, `id`)
and results (`ucp_shapes`).

They run on the same functions as the agent's own tools - the catalog search and `product_cards` of
`agent_tools.catalog` (stock net of reservations), `find_order` of `agent_tools.orders` - and are `Tool`s of
the registry's type, run through the same `call()` (`call_ucp`). They live in their own list, `UCP_TOOLS`,
not in `TOOLS`: UCP's `get_product` would collide with the agent's, and the WhatsApp agent keeps its own
argument shapes. The MCP server serves them alone at `/ucp/mcp`, beside the agent's tools at `/mcp`. A lookup
miss is a UCP `error_response` or `not_found` message, the shapes UCP clients read. Checkout is not offered.
Reads only.
"""

from __future__ import annotations

import base64
import binascii

from pydantic import BaseModel, ConfigDict, Field

from agent_tools import registry
from agent_tools import ucp_shapes as shapes
from agent_tools.catalog import product_cards
from agent_tools.orders import find_order
from agent_tools.registry import Tool, ToolContext, ToolError
from app.catalog import search as search_backend
from app.models import Product, ProductVariant
from app.params import MAX_ARG_LENGTH, Text

MAX_RESULTS = 50  # the catalog search's own ceiling
PAGE_DEFAULT = 10


class UcpAgent(BaseModel):
    profile: Text(2000) = Field(description="URL of the calling platform's UCP profile.")


class Meta(BaseModel):
    """UCP request metadata (`meta["ucp-agent"].profile`)."""

    model_config = ConfigDict(populate_by_name=True)
    ucp_agent: UcpAgent | None = Field(None, alias="ucp-agent", description="The platform agent's profile.")


class Context(BaseModel):
    """Provisional buyer signals (UCP context); the country and currency are hints, not rules."""

    address_country: Text(100) | None = Field(None, description="ISO 3166-1 alpha-2 country, e.g. US.")
    address_region: Text(100) | None = None
    postal_code: Text(20) | None = None
    intent: Text(MAX_ARG_LENGTH) | None = Field(None, description="What the buyer is trying to do.")
    language: Text(35) | None = None
    currency: Text(3) | None = Field(None, description="ISO 4217 currency of price filters.")


class PriceFilter(BaseModel):
    min: int | None = Field(None, ge=0, le=2**53, description="Lowest price, in minor units (cents).")
    max: int | None = Field(None, ge=0, le=2**53, description="Highest price, in minor units (cents).")


class SearchFilters(BaseModel):
    categories: list[Text(255)] | None = Field(None, max_length=10, description="Any of these categories.")
    price: PriceFilter | None = None


class PaginationRequest(BaseModel):
    cursor: Text(200) | None = Field(None, description="The cursor of the previous page.")
    limit: int | None = Field(None, ge=1, le=MAX_RESULTS, description="Page size (default 10).")


class SearchRequest(BaseModel):
    query: Text(MAX_ARG_LENGTH) | None = Field(None, description="Free-text search query.")
    context: Context | None = None
    filters: SearchFilters | None = None
    pagination: PaginationRequest | None = None


class SearchCatalogInput(BaseModel):
    """Search the shop's catalog (UCP catalog search). Products with variants, prices in minor units and live
    availability (stock net of reservations)."""

    meta: Meta | None = None
    catalog: SearchRequest


class LookupRequest(BaseModel):
    ids: list[Text(255)] = Field(min_length=1, max_length=MAX_RESULTS,
                                 description="Product or variant ids (GIDs), SKUs or handles.")  # fmt: skip
    context: Context | None = None


class LookupCatalogInput(BaseModel):
    """Look up products or variants by id, SKU or handle (UCP catalog lookup)."""

    meta: Meta | None = None
    catalog: LookupRequest


class SelectedOption(BaseModel):
    name: Text(255)
    label: Text(255)
    id: Text(255) | None = None


class GetProductRequest(BaseModel):
    id: Text(255) = Field(description="Product or variant id (GID).")
    selected: list[SelectedOption] | None = Field(None, max_length=10, description="Options chosen so far.")
    preferences: list[Text(255)] | None = Field(None, max_length=10,
                                                description="Option names, most important first.")  # fmt: skip
    context: Context | None = None


class GetProductInput(BaseModel):
    """Full detail of one product (UCP get_product): every variant, and which option values are available
    given the options selected so far."""

    meta: Meta | None = None
    catalog: GetProductRequest


class GetOrderInput(BaseModel):
    """The current state of an order (UCP get_order): line items, quantities, totals, cancellations, refunds."""

    meta: Meta | None = None
    id: Text(255) = Field(description="The order id (GID).")


def _filters(request: SearchRequest, limit: int, category: str | None) -> search_backend.Filters:
    currency = request.context.currency if request.context else None
    price = request.filters.price if request.filters else None
    return search_backend.Filters(
        category=category,
        price_min=shapes.major(price.min, currency) if price and price.min is not None else None,
        price_max=shapes.major(price.max, currency) if price and price.max is not None else None,
        limit=limit,
    )


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ToolError(
            "invalid_arguments", "catalog.pagination.cursor is not a cursor this shop gave."
        ) from None
    if not 0 <= offset < MAX_RESULTS:
        raise ToolError("invalid_arguments", "catalog.pagination.cursor is out of range.")
    return offset


def search_catalog(args: SearchCatalogInput, ctx: ToolContext) -> dict:
    request = args.catalog
    page = request.pagination or PaginationRequest()
    offset, size = _offset(page.cursor), page.limit or PAGE_DEFAULT
    wanted = min(offset + size + 1, MAX_RESULTS)
    categories = (request.filters.categories if request.filters else None) or [None]
    hits: dict[int, float] = {}
    for category in categories[:10]:
        for hit in search_backend.search(ctx.workspace_id, (request.query or "").strip()[:200],
                                         _filters(request, wanted, category)):  # fmt: skip
            hits[hit.product_id] = max(hits.get(hit.product_id, hit.score), hit.score)
    ranked = sorted(hits, key=lambda pid: -hits[pid])[:wanted]
    chosen = ranked[offset : offset + size]
    hosts, seller_info = shapes.hosts_and_seller(ctx)
    products = []
    for card in product_cards(ctx, chosen, max_variants=MAX_RESULTS):
        variants = [
            shapes.variant_shape(v, ctx.scope.get(Product, card["product_id"]), seller_info)
            for v in card["variants"]
        ]
        if variants:
            products.append(shapes.product_shape(card, ctx, variants, hosts))
    more = len(ranked) > offset + size
    pagination = {"has_next_page": more}
    if more:
        pagination["cursor"] = base64.urlsafe_b64encode(str(offset + size).encode()).decode()
    return {"ucp": shapes.ucp_meta(shapes.SEARCH), "products": products, "pagination": pagination}


def _resolve(ctx: ToolContext, value: str) -> tuple[int, int | None] | None:
    """(product id, variant id or None for "the product") for a lookup id (GID), SKU or handle."""
    text = value.strip()
    if text.startswith("gid://wagents/Product/"):
        product_id = shapes.parse_gid(text, "Product")
        product = ctx.scope.get(Product, product_id) if product_id else None
        return (product.id, None) if product is not None and product.deleted_at is None else None
    variant = None
    if text.startswith("gid://wagents/ProductVariant/"):
        variant_id = shapes.parse_gid(text, "ProductVariant")
        variant = ctx.scope.get(ProductVariant, variant_id) if variant_id else None
    elif text and not text.startswith("gid://"):
        variant = next(iter(ctx.scope.all(ProductVariant, ProductVariant.sku == text)), None)
        if variant is None:
            product = next(
                iter(ctx.scope.all(Product, Product.handle == text, Product.deleted_at.is_(None))), None
            )
            return (product.id, None) if product is not None else None
    if variant is None or variant.product.deleted_at is not None:
        return None
    return variant.product_id, variant.id


def lookup_catalog(args: LookupCatalogInput, ctx: ToolContext) -> dict:
    wanted: dict[int, dict[int | None, list[dict]]] = {}
    messages = []
    for value in dict.fromkeys(args.catalog.ids):
        found = _resolve(ctx, value)
        if found is None:
            messages.append(shapes.not_found(value))
            continue
        product_id, variant_id = found
        match = "exact" if variant_id is not None else "featured"
        wanted.setdefault(product_id, {}).setdefault(variant_id, []).append({"id": value, "match": match})
    hosts, seller_info = shapes.hosts_and_seller(ctx)
    products = []
    for card in product_cards(ctx, list(wanted), max_variants=2048):
        product = ctx.scope.get(Product, card["product_id"])
        by_id = {v["variant_id"]: v for v in card["variants"]}
        featured = next(
            (v for v in card["variants"] if v["available"] > 0),
            card["variants"][0] if card["variants"] else None,
        )
        inputs: dict[int, list[dict]] = {}
        for variant_id, correlations in wanted[card["product_id"]].items():
            chosen = by_id.get(variant_id) if variant_id is not None else featured
            if chosen is not None:
                inputs.setdefault(chosen["variant_id"], []).extend(correlations)
        variants = [{**shapes.variant_shape(by_id[vid], product, seller_info), "inputs": correlations}
                    for vid, correlations in inputs.items()]  # fmt: skip
        if variants:
            products.append(shapes.product_shape(card, ctx, variants, hosts))
    result = {"ucp": shapes.ucp_meta(shapes.LOOKUP), "products": products}
    if messages:
        result["messages"] = messages
    return result


def _matches(variant: dict, selections: dict[str, str]) -> bool:
    return all(variant["options"].get(name) == label for name, label in selections.items())


def get_product(args: GetProductInput, ctx: ToolContext) -> dict:
    found = _resolve(ctx, args.catalog.id)
    if found is None:
        return shapes.error_response("not_found", f"No product or variant {args.catalog.id!r} in this shop.")
    product_id, variant_id = found
    (card,) = product_cards(ctx, [product_id], max_variants=2048)
    if not card["variants"]:
        return shapes.error_response("not_found", f"{card['title']} has no variant for sale.")
    product = ctx.scope.get(Product, product_id)
    variants = card["variants"]
    selections = {s.name: s.label for s in args.catalog.selected or [] if s.name in card["options"]}
    if variant_id is not None and not selections:
        own = next((v for v in variants if v["variant_id"] == variant_id), {"options": {}})
        selections = {n: label for n, label in own["options"].items() if n in card["options"]}
    order = [n for n in (args.catalog.preferences or []) if n in selections]
    order += [n for n in selections if n not in order]
    while selections and not any(_matches(v, selections) for v in variants):
        selections.pop(order.pop())  # relax the least important selection first
    matching = [v for v in variants if _matches(v, selections)]
    featured = next((v for v in matching if v["available"] > 0), matching[0] if matching else None)
    ordered = ([featured] if featured else []) + [v for v in variants if v is not featured]
    hosts, seller_info = shapes.hosts_and_seller(ctx)
    shaped = shapes.product_shape(
        card, ctx, [shapes.variant_shape(v, product, seller_info) for v in ordered], hosts
    )
    shaped["selected"] = [{"name": n, "label": label} for n, label in selections.items()]
    options = []
    for name, values in card["options"].items():
        others = {n: label for n, label in selections.items() if n != name}
        detail = []
        for value in values:
            candidates = [v for v in variants if v["options"].get(name) == value and _matches(v, others)]
            detail.append({"label": value, "exists": bool(candidates),
                           "available": any(v["available"] > 0 for v in candidates)})  # fmt: skip
        options.append({"name": name, "values": detail})
    if options:
        shaped["options"] = options
    return {"ucp": shapes.ucp_meta(shapes.LOOKUP), "product": shaped}


def get_order(args: GetOrderInput, ctx: ToolContext) -> dict:
    order_id = shapes.parse_gid(args.id, "Order")
    if order_id is None:
        return shapes.error_response("not_found", f"No order {args.id!r} in this shop.")
    try:
        order = find_order(ctx, order_id)
    except ToolError as exc:
        return shapes.error_response("not_found", exc.message)
    return shapes.order_shape(order)


def _tool(name: str, model: type[BaseModel], fn, scope: str = "catalog:read") -> Tool:
    """A UCP tool: each of them only reads (the hints an MCP client sees say so)."""
    return Tool(name, " ".join((model.__doc__ or "").split()), model, fn, scope=scope, read_only=True,
                destructive=False, idempotent=True)  # fmt: skip


UCP_TOOLS: dict[str, Tool] = {
    t.name: t
    for t in (
        _tool("search_catalog", SearchCatalogInput, search_catalog),
        _tool("lookup_catalog", LookupCatalogInput, lookup_catalog),
        _tool("get_product", GetProductInput, get_product),
        _tool("get_order", GetOrderInput, get_order, scope="orders:read"),
    )
}
READ_ONLY = frozenset(UCP_TOOLS)  # none of them changes anything


def call_ucp(name: str, arguments_json, context: ToolContext) -> dict | list:
    """Run UCP tool `name` through the registry's one guarded `call()`."""
    return registry.call(name, arguments_json, context, tools=UCP_TOOLS)


CAPABILITIES = {  # UCP capability -> its spec page and schema, for the business profile
    shapes.SEARCH: ("catalog/search", "shopping/catalog_search.json"),
    shapes.LOOKUP: ("catalog/lookup", "shopping/catalog_lookup.json"),
    shapes.ORDER: ("order", "shopping/order.json"),
}


def business_profile(mcp_endpoint: str) -> dict:
    """The UCP business profile (`/.well-known/ucp`): the MCP service at `mcp_endpoint` and the capabilities
    its UCP tools serve (catalog search and lookup, order). No checkout, cart or payment handlers."""
    base = f"https://ucp.dev/{shapes.UCP_VERSION}"
    entry = {"version": shapes.UCP_VERSION}
    return {
        "ucp": {
            "version": shapes.UCP_VERSION,
            "services": {
                "dev.ucp.shopping": [
                    {
                        **entry,
                        "spec": f"{base}/specification/overview",
                        "transport": "mcp",
                        "schema": f"{base}/services/shopping/mcp.openrpc.json",
                        "endpoint": mcp_endpoint,
                    }
                ],  # fmt: skip
            },
            "capabilities": {
                name: [
                    {**entry, "spec": f"{base}/specification/{spec}", "schema": f"{base}/schemas/{schema}"}
                ]
                for name, (spec, schema) in CAPABILITIES.items()
            },
            "payment_handlers": {},
        }
    }
