"""A workspace's synced rows as comparable data: every column of every catalog, order and stock table, with
surrogate keys replaced by the Shopify ids they stand for, so two workspaces synced by different paths can
be compared with `==`."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Location,
    Order,
    OrderFulfillment,
    OrderItem,
    OrderRefund,
    Product,
    ProductCategory,
    ProductMedia,
    ProductVariant,
    VariantLocationStock,
)

TABLES = (Product, ProductVariant, ProductMedia, Location, VariantLocationStock, Order, OrderItem,
          OrderFulfillment, OrderRefund)  # fmt: skip
# Set by the database or the run, not from the shop's data (an order's, fulfillment's and refund's
# `created_at` are Shopify's, and compared).
LOCAL = {"updated_at", "seen_at", "platform_sync", "inventory_updated_at"}
LOCAL_CREATED = {"product", "product_variant", "location"}


def _natural_key(model) -> str | None:
    for column in model.__table__.columns:
        if column.name.startswith("shopify_") or column.name == "external_id":
            return column.name
    return None


def _scope(table, workspace_id: int, keys: dict):
    if "workspace_id" in table.c:
        return table.c.workspace_id == workspace_id
    (fk,) = [fk for c in table.columns for fk in c.foreign_keys if fk.column.table.name == "orders"]
    return fk.parent.in_(list(keys["orders"]))


def workspace_rows(workspace_id: int) -> dict[str, list[tuple]]:
    table = ProductCategory.__table__
    keys: dict[str, dict[int, str]] = {
        table.name: dict(
            db.session.execute(
                select(table.c.id, table.c.slug).where(table.c.workspace_id == workspace_id)
            ).all()
        )
    }
    for model in TABLES:
        name = _natural_key(model)
        table = model.__table__
        if name is not None and "id" in table.c:
            query = select(table.c.id, table.c[name]).where(_scope(table, workspace_id, keys))
            keys[table.name] = dict(db.session.execute(query).all())
    out: dict[str, list[tuple]] = {}
    for model in TABLES:
        table = model.__table__
        rows = []
        for row in db.session.execute(select(table).where(_scope(table, workspace_id, keys))).mappings():
            values = []
            for column in table.columns:
                local = column.name in LOCAL or (column.name == "created_at" and table.name in LOCAL_CREATED)
                if local or column.name in ("id", "workspace_id", "integration_id"):
                    continue
                value = row[column.name]
                for fk in column.foreign_keys:
                    value = keys.get(fk.column.table.name, {}).get(value, value)
                values.append((column.name, repr(value)))
            rows.append(tuple(values))
        out[table.name] = sorted(rows)
    return out


def differences(left: dict, right: dict) -> list[str]:
    found = []
    for table in left:
        a, b = left[table], right[table]
        if len(a) != len(b):
            found.append(f"{table}: {len(a)} rows vs {len(b)}")
        found += [
            f"{table} {x[0]}: " + ", ".join(f"{p} vs {q}" for p, q in zip(x, y, strict=False) if p != q)
            for x, y in zip(a, b, strict=False)
            if x != y
        ][:5]
    return found
