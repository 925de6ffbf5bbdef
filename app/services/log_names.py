"""Names for the rows a sync log entry points at: "Trail Running Shoe" with a link, instead of "product 1000".

A log entry names its row by type and our id (`SyncLog.entity_type`, `entity_id`). For a page of entries this
reads the products, variants (with their product) and orders they name, in one query per type, scoped to the
workspace. Deleted products keep their name but get no link. Read only; must not read the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Order, Product, ProductVariant
from app.models.scoping import WorkspaceScope


@dataclass(frozen=True)
class EntityName:
    label: str
    product_id: int | None = None  # link to the product's page
    order_id: int | None = None  # link to the order's page


def _ids(entries, *types: str) -> set[int]:
    return {int(e.entity_id) for e in entries if e.entity_type in types and str(e.entity_id).isdigit()}


def entity_names(scope: WorkspaceScope, entries) -> dict[tuple[str, str], EntityName]:
    """{(entity_type, entity_id): EntityName} for the entries whose row still exists (or is soft-deleted)."""
    names: dict[tuple[str, str], EntityName] = {}
    ws = scope.workspace_id
    product_ids = _ids(entries, "product")
    if product_ids:
        rows = db.session.execute(
            select(Product.id, Product.title, Product.deleted_at).where(
                Product.workspace_id == ws, Product.id.in_(product_ids)
            )
        )
        for pid, title, deleted_at in rows:
            label = title + (" (deleted)" if deleted_at else "")
            names[("product", str(pid))] = EntityName(label, None if deleted_at else pid)
    variant_ids = _ids(entries, "variant", "inventory")
    if variant_ids:
        rows = db.session.execute(
            select(ProductVariant.id, ProductVariant.title, Product.id, Product.title, Product.deleted_at)
            .join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.workspace_id == ws, ProductVariant.id.in_(variant_ids))
        )
        for vid, vtitle, pid, ptitle, deleted_at in rows:
            label = ptitle if not vtitle or vtitle == "Default Title" else f"{ptitle} · {vtitle}"
            name = EntityName(label, None if deleted_at else pid)
            names[("variant", str(vid))] = names[("inventory", str(vid))] = name
    order_ids = _ids(entries, "order")
    if order_ids:
        rows = db.session.execute(
            select(Order.id, Order.number, Order.customer_name).where(
                Order.workspace_id == ws, Order.id.in_(order_ids)
            )
        )
        for oid, number, customer in rows:
            label = f"Order {number or '#' + str(oid)}" + (f" · {customer}" if customer else "")
            names[("order", str(oid))] = EntityName(label, order_id=oid)
    return names
