"""``productUpdate`` and ``productVariantsBulkUpdate`` of the demo store: the change lands in the overlay
with a new ``updatedAt`` and fires ``products/update``, as Shopify does. userErrors in Shopify's shapes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.demo_store import catalog
from app.demo_store.nodes import product_node, variant_node

# ProductUpdateInput field -> the demo record's key
PRODUCT_INPUT = {
    "title": "title",
    "handle": "handle",
    "vendor": "vendor",
    "productType": "product_type",
    "tags": "tags",
    "status": "status",
    "descriptionHtml": "description_html",
}


def _record(ctx, product_gid):
    numeric = catalog.parse_gid(product_gid, "Product")
    if numeric is None:
        return None, None
    i = catalog.product_index(numeric)
    return i, ctx.store.product(ctx.shop, i)


def _product_update(info, product=None, input=None, identifier=None, media=None):
    ctx = info.context
    fields = product or input or {}
    i, record = _record(ctx, fields.get("id"))
    if record is None:
        return {"product": None, "userErrors": [{"field": ["id"], "message": "Product does not exist"}]}
    if "title" in fields and not (fields["title"] or "").strip():
        return {"product": None, "userErrors": [{"field": ["title"], "message": "Title can't be blank"}]}
    changes = {PRODUCT_INPUT[k]: v for k, v in fields.items() if k in PRODUCT_INPUT}
    if "tags" in changes:
        tags = changes["tags"]
        changes["tags"] = sorted({t.strip() for t in (tags if isinstance(tags, list) else str(tags).split(","))
                                  if t.strip()})  # fmt: skip
    record = ctx.store.update_product(i, shop=ctx.shop, **changes)
    ctx._view = None  # later fields of this request read the changed shop
    return {"product": product_node(ctx, record), "userErrors": []}


def _price_error(value, k: int, name: str) -> dict | None:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return {"field": ["variants", str(k), name], "message": "Price is invalid", "code": "INVALID_INPUT"}
    if amount < 0:
        return {"field": ["variants", str(k), name], "message": "Price must be greater than or equal to 0",
                "code": "GREATER_THAN_OR_EQUAL_TO"}  # fmt: skip
    return None


def _variants_bulk_update(info, productId, variants, allowPartialUpdates=False, media=None):
    ctx = info.context
    i, record = _record(ctx, productId)
    if record is None:
        error = {
            "field": ["productId"],
            "message": "Product does not exist",
            "code": "PRODUCT_DOES_NOT_EXIST",
        }
        return {"product": None, "productVariants": None, "userErrors": [error]}
    positions = {catalog.gid("ProductVariant", v["id"]): n for n, v in enumerate(record["variants"])}
    patches: list[dict | None] = [None] * len(record["variants"])
    errors = []
    for k, change in enumerate(variants):
        n = positions.get(change.get("id"))
        if n is None:
            errors.append({"field": ["variants", str(k), "id"], "message": "Product variant does not exist",
                           "code": "PRODUCT_VARIANT_DOES_NOT_EXIST"})  # fmt: skip
            continue
        patch = {}
        for name, key in (("price", "price"), ("compareAtPrice", "compare_at_price")):
            if name in change:
                value = change[name]
                error = _price_error(value, k, name) if value is not None else None
                if error:
                    errors.append(error)
                patch[key] = None if value is None else f"{Decimal(str(value)):.2f}" if not error else None
        if "barcode" in change:
            patch["barcode"] = change["barcode"]
        if "sku" in (change.get("inventoryItem") or {}):
            patch["sku"] = change["inventoryItem"]["sku"]
        patches[n] = patch
    if errors:  # Shopify applies none of a request with errors unless partial updates are allowed
        return {"product": None, "productVariants": None, "userErrors": errors}
    record = ctx.store.update_product(i, shop=ctx.shop, variants=patches)
    ctx._view = None
    changed = [v for n, v in enumerate(record["variants"]) if patches[n] is not None]
    return {"product": product_node(ctx, record), "userErrors": [],
            "productVariants": [variant_node(ctx, record, v) for v in changed]}  # fmt: skip


def product_mutation_root() -> dict:
    return {"productUpdate": _product_update, "productVariantsBulkUpdate": _variants_bulk_update}
