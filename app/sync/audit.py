"""The drift audit's comparison: what one Shopify store holds against what the database holds for it.

`shop_state(client)` reads every product of the shop (id, `updatedAt`, title, handle, and every variant's
id, SKU, price and stock) by paging the cheap AUDIT_PRODUCTS_QUERY, so nothing is sampled where the whole
fits; `db_state(integration_id)` reads the same from the rows of that store alone (never the workspace's
other stores). `differences(shop, db)` lists each mismatch as a plain dict `{kind, gid, detail}`:

- `missing`: in the shop, absent (or soft-deleted) in the database;
- `extra`: live in the database, gone from the shop;
- `changed`: `updatedAt`, title or handle differ;
- `variants`: the variant ids, a SKU or a price differ;
- `stock`: a variant's stock differs (total per variant; see STOCK EXTENSION POINT below);
- `order_missing`, `order_changed`, `order_extra`: the same for orders, by id and `updatedAt`.

LOCATIONS EXTENSION POINT: once locations are synced (a `location` table and stock per location), add their
count to `counts` and compare each (variant, location) level where `stock` now compares the total.

Reads only: repairing is `audit_repair`, storing and scheduling `audit_jobs`. Never writes rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.extensions import db
from app.models import Order, Product, ProductVariant
from app.sync.mapping import parse_time

PRODUCT_KINDS = ("missing", "extra", "changed", "variants", "stock")
REPAIRABLE_KINDS = (*PRODUCT_KINDS, "order_missing", "order_changed")


@dataclass
class Variant:
    sku: str | None
    price: Decimal | None
    stock: int


@dataclass
class ProductState:
    updated_at: datetime | None
    title: str | None
    handle: str | None
    variants: dict[str, Variant] = field(default_factory=dict)
    deleted: bool = False


@dataclass
class StoreState:
    products: dict[str, ProductState]
    orders: dict[str, datetime | None]  # order gid -> updatedAt


def _money(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _shop_variant(node: dict) -> Variant:
    return Variant(
        node.get("sku") or None, _money(node.get("price")), int(node.get("inventoryQuantity") or 0)
    )


def shop_state(client) -> StoreState:
    products: dict[str, ProductState] = {}
    for page in client.iter_audit_pages():
        for node in page.nodes:
            state = ProductState(parse_time(node.get("updatedAt")), node.get("title"), node.get("handle"))
            connection = node.get("variants") or {}
            variants = list(connection.get("nodes") or [])
            info = connection.get("pageInfo") or {}
            if info.get("hasNextPage"):
                variants.extend(client.iter_audit_variants(node["id"], info.get("endCursor")))
            state.variants = {v["id"]: _shop_variant(v) for v in variants}
            products[node["id"]] = state
    orders = {
        n["id"]: parse_time(n.get("updatedAt")) for page in client.iter_audit_orders() for n in page.nodes
    }
    return StoreState(products, orders)


def db_state(integration_id: int) -> StoreState:
    products: dict[str, ProductState] = {}
    ids: dict[int, str] = {}
    rows = db.session.execute(
        select(Product.id, Product.shopify_product_id, Product.source_updated_at, Product.title,
               Product.handle, Product.deleted_at)
        .where(Product.integration_id == integration_id, Product.shopify_product_id.is_not(None))
    )  # fmt: skip
    for pid, gid, updated_at, title, handle, deleted_at in rows:
        products[gid] = ProductState(updated_at, title, handle, deleted=deleted_at is not None)
        ids[pid] = gid
    variants = db.session.execute(
        select(ProductVariant.product_id, ProductVariant.shopify_variant_id, ProductVariant.sku,
               ProductVariant.price, ProductVariant.inventory_quantity)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(Product.integration_id == integration_id, Product.shopify_product_id.is_not(None))
    )  # fmt: skip
    for pid, vgid, sku, price, quantity in variants:
        products[ids[pid]].variants[vgid] = Variant(sku or None, _money(price), int(quantity or 0))
    orders = dict(
        db.session.execute(
            select(Order.external_id, Order.source_updated_at).where(
                Order.integration_id == integration_id,
                Order.source_platform == "shopify",
                Order.external_id.is_not(None),
            )
        ).all()
    )
    return StoreState(products, orders)


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 1  # Shopify's times are to the second


def _variant_detail(shop: ProductState, mine: ProductState) -> str | None:
    if set(shop.variants) != set(mine.variants):
        gone, new = set(mine.variants) - set(shop.variants), set(shop.variants) - set(mine.variants)
        return f"variants: {len(new)} missing in the database, {len(gone)} no longer in the shop"
    for vgid, theirs in shop.variants.items():
        ours = mine.variants[vgid]
        if theirs.sku != ours.sku or theirs.price != ours.price:
            return f"variant {vgid}: SKU/price {ours.sku}/{ours.price} here, {theirs.sku}/{theirs.price} in the shop"
    return None


def _product_differences(gid: str, shop: ProductState, mine: ProductState) -> list[dict]:
    found = []
    if not _same_time(shop.updated_at, mine.updated_at):
        detail = f"updated {mine.updated_at} here, {shop.updated_at} in the shop"
        found.append({"kind": "changed", "gid": gid, "detail": detail})
    elif (shop.title, shop.handle) != (mine.title, mine.handle):
        detail = (
            f"title/handle {mine.title!r}/{mine.handle!r} here, {shop.title!r}/{shop.handle!r} in the shop"
        )
        found.append({"kind": "changed", "gid": gid, "detail": detail})
    detail = _variant_detail(shop, mine)
    if detail:
        found.append({"kind": "variants", "gid": gid, "detail": detail})
        return found
    # STOCK EXTENSION POINT: today the total per variant (`inventoryQuantity` against
    # `product_variant.inventory_quantity`); with stock per location, compare each (variant, location) level.
    for vgid, theirs in shop.variants.items():
        ours = mine.variants[vgid]
        if theirs.stock != ours.stock:
            found.append({"kind": "stock", "gid": gid, "variant": vgid,
                          "detail": f"variant {vgid}: stock {ours.stock} here, {theirs.stock} in the shop"})  # fmt: skip
    return found


def differences(shop: StoreState, mine: StoreState) -> list[dict]:
    found: list[dict] = []
    for gid, theirs in shop.products.items():
        ours = mine.products.get(gid)
        if ours is None or ours.deleted:
            found.append({"kind": "missing", "gid": gid, "detail": f"{theirs.title!r} is in the shop only"})
        else:
            found.extend(_product_differences(gid, theirs, ours))
    for gid, ours in mine.products.items():
        if not ours.deleted and gid not in shop.products:
            found.append({"kind": "extra", "gid": gid, "detail": f"{ours.title!r} is no longer in the shop"})
    for gid, updated_at in shop.orders.items():
        if gid not in mine.orders:
            found.append({"kind": "order_missing", "gid": gid, "detail": "the order is in the shop only"})
        elif not _same_time(updated_at, mine.orders[gid]):
            detail = f"updated {mine.orders[gid]} here, {updated_at} in the shop"
            found.append({"kind": "order_changed", "gid": gid, "detail": detail})
    for gid in mine.orders.keys() - shop.orders.keys():
        found.append({"kind": "order_extra", "gid": gid, "detail": "the order is no longer in the shop"})
    return found


def counts(state: StoreState) -> dict[str, int | None]:
    live = [p for p in state.products.values() if not p.deleted]
    return {
        "products": len(live),
        "variants": sum(len(p.variants) for p in live),
        "orders": len(state.orders),
    }
