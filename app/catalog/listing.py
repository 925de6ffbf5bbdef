"""The product list query of the Products page and `GET /api/products`: search, filters, sorting and keyset
pagination that stay fast at 100,000 products.

- Sorting walks an index (`(workspace_id, updated_at)`, `(workspace_id, title)`, `(workspace_id, price_min, id)`)
  with `id` as the tie-breaker; the cursor carries the last row's sort value and id, so a deep page costs the
  same as the first one (no OFFSET). Products without a price come after the priced ones in both directions,
  read in a second pass by id (a NULL cursor value means "in that pass"), so the price index stays usable.
- The stock sort walks `product_stock` (per-product stock kept by database triggers, migration 0004), exact
  for every product without active reservations; the few held products are computed apart and merged in.
- Text search is the catalog search read as a filter (`app.catalog.matches`).
- Stock figures, the stock filter and the stock sort follow the one stock rule (`app.catalog.stock`).

Must not read the request or render anything: callers pass plain values and get rows plus the next cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property

from sqlalchemy import Select, exists, func, literal, or_, select
from sqlalchemy.orm import defer, selectinload

from app.catalog.groupings import in_collection, stocked_at
from app.catalog.matches import text_criterion
from app.catalog.stock import (
    held_product_availability,
    held_products,
    in_stock,
    product_available,
    product_variant_levels,
)
from app.extensions import db
from app.models import (
    Product,
    ProductCategory,
    ProductStock,
    ProductVariant,
)
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.params import BadParameter, parse_id, parse_limit
from app.problems import AppError

STATUSES = ("active", "draft", "archived")
SORTS = ("title", "price", "updated", "stock")
# Sort key -> default direction when the user just picks the column.
DEFAULT_DIRECTION = {"title": "asc", "price": "asc", "updated": "desc", "stock": "desc"}
PLATFORM_STATES = {
    "shopify_synced": "Shopify: synced",
    "shopify_not_synced": "Shopify: not synced",
    "facebook_pushed": "Facebook: pushed",
    "facebook_pending": "Facebook: pending",
    "facebook_error": "Facebook: error",
    "facebook_none": "Facebook: not pushed",
}
STOCK_STATES = ("in", "out")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Long columns a row of the Products page never shows: the lean list leaves them unloaded.
_LONG_COLUMNS = (Product.description_html, Product.images, Product.tags)


class ListError(AppError, ValueError):
    """Bad list parameters; `fields` maps each parameter to what is wrong with it."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("Invalid list parameters.")
        self.fields = fields


@dataclass
class ListParams:
    q: str = ""
    status: str = ""
    category_id: int | None = None
    collection_id: int | None = None
    location_id: int | None = None
    platform: str = ""
    stock: str = ""
    sort: str = "-updated"
    cursor: str = ""
    limit: int = DEFAULT_LIMIT

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def query_args(self, **override) -> dict:
        """The non-default parameters as query-string arguments (for links and the next page)."""
        values = {
            "q": self.q, "status": self.status, "category": self.category_id or "", "platform": self.platform,
            "stock": self.stock, "sort": "" if self.sort == "-updated" else self.sort, "cursor": "",
            "collection": self.collection_id or "", "location": self.location_id or "",
        }  # fmt: skip
        values.update(override)
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class ProductPage:
    products: list[Product]
    next_cursor: str | None
    params: ListParams
    stock: dict[int, dict] = field(default_factory=dict)  # product id -> {"on_hand", "reserved", "available"}
    # product id -> (first non-empty SKU, number of variants), filled by the lean list (`with_variants=False`)
    skus: dict[int, tuple[str | None, int]] = field(default_factory=dict)
    # The filtered statement, counted only when the pager reads `total` (see app.services.keyset.Page).
    filtered: Select | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> list[Product]:
        return self.products

    @property
    def per_page(self) -> int:
        return self.params.limit

    @cached_property
    def total(self) -> int | None:
        """Every product the filters match, on all pages."""
        if self.filtered is None:
            return None
        return (
            db.session.scalar(select(func.count()).select_from(self.filtered.order_by(None).subquery())) or 0
        )


def parse_params(args) -> ListParams:
    """Read list parameters from a mapping (request.args); raise ListError naming each bad one."""
    errors: dict[str, str] = {}
    params = ListParams(q=(args.get("q") or "").strip()[:200])
    params.status = (args.get("status") or "").strip()
    if params.status and params.status not in STATUSES:
        errors["status"] = f"Must be one of: {', '.join(STATUSES)}."
    name = "category" if args.get("category") else "category_id"
    category = (args.get(name) or "").strip()
    if category:
        try:
            params.category_id = parse_id(category, name)
        except BadParameter as exc:
            errors[name] = exc.description
    for name in ("collection", "location"):
        try:
            setattr(params, f"{name}_id", parse_id(args.get(name), name))
        except BadParameter as exc:
            errors[name] = exc.description
    params.platform = (args.get("platform") or "").strip()
    if params.platform and params.platform not in PLATFORM_STATES:
        errors["platform"] = f"Must be one of: {', '.join(PLATFORM_STATES)}."
    params.stock = (args.get("stock") or "").strip()
    if params.stock and params.stock not in STOCK_STATES:
        errors["stock"] = "Must be 'in' or 'out'."
    sort = (args.get("sort") or "-updated").strip()
    if sort.lstrip("-") not in SORTS:
        errors["sort"] = f"Must be one of: {', '.join(SORTS)} (prefix '-' for descending)."
    else:
        params.sort = sort
    limit = (args.get("limit") or "").strip()
    if limit:
        try:
            params.limit = parse_limit(limit, "limit", MAX_LIMIT)
        except BadParameter as exc:
            errors["limit"] = exc.description
    params.cursor = (args.get("cursor") or "").strip()
    if params.cursor and not errors.get("sort"):
        try:
            decode_cursor(params.cursor, params.sort_key)
        except ValueError:
            errors["cursor"] = "Invalid or expired cursor: start again from the first page."
    if errors:
        raise ListError(errors)
    return params


# --- expressions ---------------------------------------------------------------------------------------------


def in_stock_criterion():
    """The product has a variant with stock for sale."""
    variant = ProductVariant.__table__.alias("sv")
    return exists(select(literal(1)).where(variant.c.product_id == Product.id, in_stock(variant.c)))


def stock_sort_expression():
    """A product's available stock, computed per row (lists sort through `_stock_rows` instead)."""
    return product_available(ProductVariant.__table__.alias("tv").c, Product.id)


def _platform_criterion(state: str):
    # Migration 0003 keeps planner statistics on exactly these expressions: change both together.
    shopify_synced = Product.platform_sync["shopify"]["synced"].as_boolean()
    facebook = Product.platform_sync["facebook"]["status"].as_string()
    return {
        "shopify_synced": shopify_synced.is_(True),
        "shopify_not_synced": or_(shopify_synced.is_(None), shopify_synced.is_(False)),
        "facebook_pushed": facebook == "pushed",
        "facebook_pending": facebook == "pending",
        "facebook_error": facebook == "error",
        "facebook_none": facebook.is_(None),
    }[state]


def sort_expression(key: str):
    return {
        "title": Product.title,
        "price": Product.price_min,  # NULLs are a separate pass: see `_price_rows`
        "updated": Product.updated_at,
        "stock": stock_sort_expression(),  # the exact figure; lists read it through `_stock_rows`
    }[key]


# --- cursor --------------------------------------------------------------------------------------------------


def encode_cursor(key: str, value, row_id: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps([key, value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, key: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_key, value, row_id = json.loads(raw)
        if cursor_key != key or not isinstance(row_id, int):
            raise ValueError("cursor for another sort")
        if key == "updated":
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("naive timestamp")
        elif key == "price":
            value = None if value is None else Decimal(str(value))  # None: among the unpriced products
        elif key == "stock":
            value = int(value)
        elif not isinstance(value, str):
            raise ValueError("bad title")
        return value, row_id
    except (binascii.Error, json.JSONDecodeError, TypeError, ValueError, InvalidOperation) as exc:
        raise ValueError("invalid cursor") from exc


def _sort_value(product: Product, key: str, stock: dict[int, dict]):
    if key == "title":
        return product.title
    if key == "price":
        return product.price_min
    if key == "updated":
        return product.updated_at
    return stock.get(product.id, {}).get("available", 0)


# --- the query -----------------------------------------------------------------------------------------------


def list_products(scope: WorkspaceScope, params: ListParams, *, with_variants: bool = True) -> ProductPage:
    """One page of products plus per-product stock, in a fixed number of queries whatever the page size.

    `with_variants=False` is the lean form for the Products page: no variants, no category and none of the
    long columns are loaded; `page.skus` carries what a row shows of the variants instead (read with the
    stock, in the same query), and the caller names categories from its own list.
    """
    stmt = scope.select(Product, Product.deleted_at.is_(None))
    if params.q:
        stmt = stmt.where(text_criterion(scope.workspace_id, params.q))
    if params.status:
        stmt = stmt.where(Product.status == params.status)
    if params.category_id:
        stmt = stmt.where(Product.category_id == params.category_id)
    # Only the scope's own collections and locations: another workspace's id lists nothing.
    if params.collection_id:
        stmt = stmt.where(Product.id.in_(in_collection(scope.workspace_id, params.collection_id)))
    if params.location_id:
        stmt = stmt.where(Product.id.in_(stocked_at(scope.workspace_id, params.location_id)))
    if params.platform:
        stmt = stmt.where(_platform_criterion(params.platform))
    if params.stock:
        in_stock = in_stock_criterion()
        stmt = stmt.where(in_stock if params.stock == "in" else ~in_stock)

    filtered = stmt
    key, desc = params.sort_key, params.descending
    position = decode_cursor(params.cursor, key) if params.cursor else None
    if with_variants:
        loaders = (selectinload(Product.variants), selectinload(Product.category))
    else:
        loaders = tuple(defer(column) for column in _LONG_COLUMNS)
    if key == "price":
        rows = _price_rows(stmt.options(*loaders), position, desc, params.limit + 1)
    elif key == "stock":
        rows = _stock_rows(scope.workspace_id, stmt.options(*loaders), position, desc, params.limit + 1)
    else:
        stmt = _after(stmt, sort_expression(key), position, desc)
        rows = list(db.session.scalars(stmt.limit(params.limit + 1).options(*loaders)))
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    stock, skus = _stock_and_skus(scope, rows)
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(key, _sort_value(last, key, stock), last.id)
    return ProductPage(rows, next_cursor, params, stock, skus, filtered)


def _after(stmt, sort, position, desc: bool, row_id=Product.id):
    """`stmt` ordered by (sort, id), starting after the cursor's (value, id) if there is one."""
    if position is not None:
        value, last_id = position
        # `a <= v AND (a < v OR id < last)` lets the planner bound the index scan on the sort column.
        if desc:
            stmt = stmt.where(sort <= value, or_(sort < value, row_id < last_id))
        else:
            stmt = stmt.where(sort >= value, or_(sort > value, row_id > last_id))
    return stmt.order_by(*((sort.desc(), row_id.desc()) if desc else (sort.asc(), row_id.asc())))


def _price_rows(stmt, position, desc: bool, wanted: int) -> list[Product]:
    """Priced products by (price_min, id) on the price index, then unpriced ones by id: two index walks
    instead of sorting every row by `coalesce(price_min, 0)`. `position` is the cursor's (price, id)."""
    price, last_id = position if position is not None else (Decimal("0"), None)
    rows: list[Product] = []
    if position is None or price is not None:
        priced = stmt.where(Product.price_min.is_not(None))
        if position is not None:
            if desc:
                priced = priced.where(
                    Product.price_min <= price, or_(Product.price_min < price, Product.id < last_id)
                )
            else:
                priced = priced.where(
                    Product.price_min >= price, or_(Product.price_min > price, Product.id > last_id)
                )
        order = (
            (Product.price_min.desc(), Product.id.desc())
            if desc
            else (Product.price_min.asc(), Product.id.asc())
        )
        rows = list(db.session.scalars(priced.order_by(*order).limit(wanted)))
        last_id = None  # the unpriced pass starts at its beginning
    if len(rows) < wanted:
        unpriced = stmt.where(Product.price_min.is_(None))
        if last_id is not None:
            unpriced = unpriced.where(Product.id < last_id if desc else Product.id > last_id)
        order = Product.id.desc() if desc else Product.id.asc()
        rows += db.session.scalars(unpriced.order_by(order).limit(wanted - len(rows)))
    return rows


def _stock_rows(workspace_id: int, stmt, position, desc: bool, wanted: int) -> list[Product]:
    """Products by (available stock, id) without computing every product's availability.

    Without reservations a product's available stock is exactly `product_stock.on_hand` (the database keeps
    it, migration 0004), so the next `wanted` such products come from a walk of its index. Products with
    active reservations are few: their availability is computed apart, and those that would come before the
    walk's last row are loaded (through the same filters) to compete for the page. `position` is the
    cursor's (available, id).
    """
    now = utcnow()
    held = held_product_availability(workspace_id, now)
    walk = stmt.add_columns(ProductStock.on_hand).join(ProductStock, ProductStock.product_id == Product.id)
    # The held products as a subquery, not a list of ids: one hashed lookup, and a statement whose shape
    # does not change with the number of reservations.
    walk = walk.where(
        ProductStock.workspace_id == workspace_id,
        ProductStock.product_id.not_in(held_products(workspace_id, now)),
    )
    # Ordered by product_stock's own columns, so the walk follows its index.
    walk = _after(walk, ProductStock.on_hand, position, desc, ProductStock.product_id).limit(wanted)
    rows = [((int(on_hand), product.id), product) for product, on_hand in db.session.execute(walk)]

    def ahead(a: tuple, b: tuple) -> bool:
        return a > b if desc else a < b

    keys = sorted(((available, pid) for pid, available in held.items()), reverse=desc)
    if position is not None:
        keys = [k for k in keys if ahead(tuple(position), k)]
    if len(rows) == wanted:
        keys = [k for k in keys if ahead(k, rows[-1][0])]
    # In list order, a chunk at a time: the filters may drop some, and at most `wanted` can make the page.
    found = 0
    for start in range(0, len(keys), wanted):
        chunk = {key[1]: key for key in keys[start : start + wanted]}
        loaded = list(db.session.scalars(stmt.where(Product.id.in_(list(chunk)))))
        rows += [(chunk[product.id], product) for product in loaded]
        found += len(loaded)
        if found >= wanted:
            break
    rows.sort(key=lambda row: row[0], reverse=desc)
    return [product for _, product in rows[:wanted]]


def product_stock(scope: WorkspaceScope, products: list[Product]) -> dict[int, dict]:
    """{product_id: {"on_hand", "reserved", "available"}} summed over variants, in one query."""
    return _stock_and_skus(scope, products)[0]


def _stock_and_skus(scope: WorkspaceScope, products: list[Product]):
    """Per-product stock totals and (first non-empty SKU, variant count), from one query on the variants."""
    totals = {p.id: {"on_hand": 0, "reserved": 0, "available": 0} for p in products}
    skus: dict[int, tuple[str | None, int]] = {}
    for product_id, sku, level in product_variant_levels(scope, totals):
        entry = totals[product_id]
        entry["on_hand"] += level.on_hand
        entry["reserved"] += level.reserved
        entry["available"] += level.available
        first, count = skus.get(product_id, (None, 0))
        skus[product_id] = (first or sku or None, count + 1)
    return totals, skus


def categories(scope: WorkspaceScope) -> list[ProductCategory]:
    return list(db.session.scalars(scope.select(ProductCategory).order_by(ProductCategory.name)))
