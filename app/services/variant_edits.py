"""Per-variant edits from the product page: price, compare-at price and SKU of each variant of a page.

The form names each input `variant-<id>-<field>`; only the product's own variants are read, and only the
values that changed are written (and, for a Shopify product, queued for Shopify with `shopify_edits`, one
push per product whatever the number of variants). Every bad value is answered at once, keyed by its input's
name; nothing is saved then. Must not read the request or render anything.
"""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Product
from app.models.types import utcnow
from app.services import shopify_edits
from app.services.products import ProductValidationError, money_field, text_field

FIELD = re.compile(r"variant-(\d+)-(price|compare_at_price|sku)")


def update_variants(product: Product, data: dict) -> int:
    """Apply the form's variant values; returns how many variants changed."""
    by_id = {v.id: v for v in product.variants}
    wanted: dict[int, dict] = {}
    errors: dict[str, str] = {}
    for name, raw in data.items():
        match = FIELD.fullmatch(name)
        if not match:
            continue
        variant_id, column = int(match.group(1)), match.group(2)
        if variant_id not in by_id:
            errors[name] = "Not a variant of this product."
            continue
        sub: dict[str, str] = {}
        if column == "sku":
            value = text_field({"sku": raw}, "sku", sub, max_len=255)
        else:
            value = money_field(raw, column, sub, required=column == "price")
        if sub:
            errors[name] = next(iter(sub.values()))
        else:
            wanted.setdefault(variant_id, {})[column] = value
    if errors:
        raise ProductValidationError(errors)
    changes = {}
    for variant_id, values in wanted.items():
        variant = by_id[variant_id]
        changed = {c: v for c, v in values.items() if getattr(variant, c) != v}
        for column, value in changed.items():
            setattr(variant, column, value)
        if changed:
            changes[variant] = changed
    if not changes:
        return 0
    prices = [v.price for v in product.variants if v.price is not None]
    product.price_min, product.price_max = (min(prices), max(prices)) if prices else (None, None)
    pushed = shopify_edits.record_edit(product, {}, changes)
    product.updated_at = utcnow()
    db.session.commit()
    if pushed:
        shopify_edits.queue_push(product.id)
    return len(changes)
