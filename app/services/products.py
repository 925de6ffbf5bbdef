"""Products as the merchant edits them by hand: validate, create, update and soft-delete, plus the list query
(re-exported from `app.catalog.listing`) the page and the API share.

Validation answers every bad field at once (`ProductValidationError.fields`), so a form and the JSON API can show
them next to the inputs. An edit of a Shopify product is also queued for Shopify (`shopify_edits`). Must not read
the request or render anything; never calls outside platforms (pushing to Shopify or Facebook and re-reading
from Shopify are queue jobs, see `shopify_edits` and `bulk_jobs`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, or_, select

from app.catalog.listing import (  # noqa: F401  (the public list API of this module)
    PLATFORM_STATES,
    SORTS,
    STATUSES,
    ListError,
    ListParams,
    ProductPage,
    categories,
    list_products,
    parse_params,
    product_stock,
)
from app.extensions import db
from app.models import Product, ProductCategory, ProductVariant, Reservation, SyncLog
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.problems import AppError
from app.services import shopify_edits

EDITABLE = ("title", "vendor", "product_type", "status", "tags", "category_id", "description_html", "handle")
VARIANT_FIELDS = ("sku", "title", "price", "compare_at_price", "inventory_quantity")
MAX_PRICE = Decimal("9999999999.99")


class ProductValidationError(AppError, ValueError):
    def __init__(self, fields: dict[str, str]):
        super().__init__("Some fields need attention.")
        self.fields = fields


def get_product(scope: WorkspaceScope, product_id, *, hidden: bool = False) -> Product | None:
    """The workspace's product, or None for unknown, deleted (unless `hidden`) or another workspace's ids."""
    product = scope.get(Product, product_id)
    if product is None or (product.deleted_at is not None and not hidden):
        return None
    return product


# --- validation ----------------------------------------------------------------------------------------------


def text_field(data, name, errors, *, max_len, required=False):
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = "Must be text."
        return None
    value = value.strip()
    if required and not value:
        errors[name] = "Required."
    elif len(value) > max_len:
        errors[name] = f"At most {max_len} characters."
    return value or None


def money_field(value, name, errors, *, required=False):
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = "Required."
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        errors[name] = "Must be an amount such as 19.99."
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors[name] = "Must be an amount such as 19.99."
        return None
    if (
        not amount.is_finite()
        or amount < 0
        or amount > MAX_PRICE
        or amount != amount.quantize(Decimal("0.01"))
    ):
        errors[name] = "Must be zero or more, with at most two decimals."
        return None
    return amount.quantize(Decimal("0.01"))


def quantity_field(value, name, errors):
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        errors[name] = "Must be a whole number."
        return None
    try:
        number = int(str(value).strip()) if isinstance(value, str) else value
    except ValueError:
        number = None
    if not isinstance(number, int) or not 0 <= number <= 1_000_000_000:
        errors[name] = "Must be a whole number, zero or more."
        return None
    return number


def _tags(value, errors):
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        parts = value
    elif isinstance(value, str):
        parts = value.split(",")
    else:
        errors["tags"] = "Must be a comma-separated text or a list of texts."
        return None
    cleaned = [t.strip() for t in parts if t.strip()]
    return ", ".join(dict.fromkeys(cleaned)) or None


def _product_fields(scope, data: dict, errors: dict, *, partial: bool) -> dict:
    values = {}
    limits = {"title": 500, "vendor": 255, "product_type": 255, "handle": 500, "description_html": 100_000}
    for name, max_len in limits.items():
        if partial and name not in data:
            continue
        values[name] = text_field(data, name, errors, max_len=max_len, required=name == "title")
    if not partial or "status" in data:
        status = data.get("status") or "active"
        if status not in STATUSES:
            errors["status"] = f"Must be one of: {', '.join(STATUSES)}."
        values["status"] = status
    if "tags" in data:
        values["tags"] = _tags(data.get("tags"), errors)
    if "category_id" in data:
        raw = data.get("category_id")
        if raw in (None, ""):
            values["category_id"] = None
        elif scope.get(ProductCategory, raw if not isinstance(raw, bool) else None) is None:
            errors["category_id"] = "Unknown category."
        else:
            values["category_id"] = int(raw)
    if values.get("handle") is None and values.get("title") and not partial:
        values["handle"] = slugify(values["title"])
    return values


def _variant_fields(data: dict, errors: dict, prefix: str = "") -> dict:
    sub: dict = {}
    price = money_field(data.get("price"), "price", sub, required=True)
    compare = money_field(data.get("compare_at_price"), "compare_at_price", sub)
    quantity = quantity_field(data.get("inventory_quantity"), "inventory_quantity", sub)
    sku = text_field(data, "sku", sub, max_len=255)
    title = text_field(data, "variant_title" if not prefix else "title", sub, max_len=500)
    errors.update({f"{prefix}{k}": v for k, v in sub.items()})
    return {"price": price, "compare_at_price": compare, "inventory_quantity": quantity, "sku": sku,
            "title": title or "Default Title"}  # fmt: skip


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:500] or "product"


# --- writes --------------------------------------------------------------------------------------------------


def create_product(scope: WorkspaceScope, data: dict) -> Product:
    """A hand-made product with its variants (`variants: [...]`, or one from `price`/`sku`/`inventory_quantity`)."""
    errors: dict[str, str] = {}
    values = _product_fields(scope, data, errors, partial=False)
    raw_variants = data.get("variants")
    if raw_variants is None:
        variants = [_variant_fields(data, errors)]
    elif not isinstance(raw_variants, list) or not raw_variants or len(raw_variants) > 100:
        errors["variants"] = "Must be a list of 1 to 100 variants."
        variants = []
    else:
        variants = []
        for i, raw in enumerate(raw_variants):
            if not isinstance(raw, dict):
                errors[f"variants.{i}"] = "Must be an object."
                continue
            variants.append(_variant_fields(raw, errors, prefix=f"variants.{i}."))
    currency = data.get("currency")
    if currency is not None and not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
        errors["currency"] = "Must be a three-letter currency code such as USD."
    if errors:
        raise ProductValidationError(errors)

    product = Product(**values, currency=currency, images=[], platform_sync={})
    for position, fields in enumerate(variants, start=1):
        product.variants.append(ProductVariant(workspace_id=scope.workspace_id, position=position, **fields))
    _refresh_price_range(product)
    scope.add(product)
    db.session.commit()
    return product


def update_product(scope: WorkspaceScope, product: Product, data: dict) -> Product:
    """Change the given fields; `price` is accepted for single-variant products only."""
    errors: dict[str, str] = {}
    values = _product_fields(scope, data, errors, partial=True)
    price = None
    if "price" in data:
        price = money_field(data.get("price"), "price", errors, required=True)
        if len(product.variants) != 1 and "price" not in errors:
            errors["price"] = "This product has several variants: change prices per variant."
    if errors:
        raise ProductValidationError(errors)
    changed = {name: value for name, value in values.items() if getattr(product, name) != value}
    for name, value in changed.items():
        setattr(product, name, value)
    variants = {}
    if price is not None and price != product.variants[0].price:
        product.variants[0].price = price
        variants[product.variants[0]] = {"price": price}
        _refresh_price_range(product)
    pushed = shopify_edits.record_edit(product, changed, variants)
    product.updated_at = utcnow()
    db.session.commit()
    if pushed:
        shopify_edits.queue_push(product.id)
    return product


def delete_product(product: Product) -> None:
    """Soft delete: the row stays for orders and logs that point at it; lists and the API stop showing it."""
    product.deleted_at = utcnow()
    product.updated_at = product.deleted_at
    db.session.commit()


def _refresh_price_range(product: Product) -> None:
    prices = [v.price for v in product.variants if v.price is not None]
    product.price_min = min(prices) if prices else None
    product.price_max = max(prices) if prices else None


# --- detail --------------------------------------------------------------------------------------------------


def product_reservations(scope: WorkspaceScope, product: Product, limit: int = 50) -> list[Reservation]:
    variant_ids = [v.id for v in product.variants]
    if not variant_ids:
        return []
    stmt = (
        scope.select(Reservation, Reservation.variant_id.in_(variant_ids))
        .order_by(Reservation.created_at.desc(), Reservation.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def product_sync_log(scope: WorkspaceScope, product: Product, limit: int = 50) -> list[SyncLog]:
    """What syncs, webhooks and stock changes did to this product and its variants, newest first."""
    variant_ids = [str(v.id) for v in product.variants]
    criteria = [and_(SyncLog.entity_type == "product", SyncLog.entity_id == str(product.id))]
    if variant_ids:
        criteria.append(and_(SyncLog.entity_type != "product", SyncLog.entity_type.in_(("variant", "inventory")),
                             SyncLog.entity_id.in_(variant_ids)))  # fmt: skip
    stmt = (
        select(SyncLog)
        .where(SyncLog.workspace_id == scope.workspace_id, or_(*criteria))
        .order_by(SyncLog.created_at.desc(), SyncLog.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
