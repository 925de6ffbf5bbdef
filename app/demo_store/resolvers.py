"""Root ``QueryRoot`` fields of the demo store, plus the order, shop and bulk-operation objects.

Each root field is a callable ``(info, **args)`` in the dict returned by `query_root`; graphql-core calls it
for the selected fields only. Mutations live in `mutations.py`.
"""

from __future__ import annotations

from graphql import GraphQLError

from app.demo_store import catalog, listing, locations
from app.demo_store.bulk import BULK_ID_BASE
from app.demo_store.checkouts import checkouts_page
from app.demo_store.collection_nodes import (
    collection_by_gid,
    collection_field,
    collections_count,
    collections_field,
)
from app.demo_store.commerce import order_node, shop_node
from app.demo_store.nodes import connection, count, list_connection, product_node, variant_node
from app.demo_store.stock_nodes import (
    inventory_item_node,
    inventory_items_field,
    inventory_level_node,
    location_node,
)
from app.demo_store.webhooks import subscription_node, topic_to_enum


def bulk_node(ctx, row) -> dict:
    numeric = BULK_ID_BASE + row["id"]
    has_file = row["status"] == "COMPLETED" and row["object_count"] > 0
    return {
        "__typename": "BulkOperation",
        "id": catalog.gid("BulkOperation", numeric),
        "status": row["status"],
        "type": "QUERY",
        "query": row["query"],
        "errorCode": row["error_code"],
        "createdAt": row["created_at"],
        "completedAt": row["completed_at"],
        "objectCount": str(row["object_count"]),
        "rootObjectCount": str(row["root_object_count"]),
        "fileSize": str(row["file_size"]) if row["file_size"] is not None and has_file else None,
        "url": f"{ctx.base_url}/bulk/{numeric}.jsonl" if has_file else None,
        "partialDataUrl": None,
    }


def _product_by_gid(ctx, value: str):
    numeric = catalog.parse_gid(value, "Product")
    record = ctx.view.product(catalog.product_index(numeric)) if numeric else None
    return product_node(ctx, record) if record else None


def _variant_parts(ctx, value: str, kind: str, base: int):
    numeric = catalog.parse_gid(value, kind)
    if numeric is None or numeric <= base:
        return None
    i, _v = catalog.split_variant(numeric, base)
    record = ctx.view.product(i)
    variant = catalog.variant_at(record, numeric, "id" if kind == "ProductVariant" else "inventory_item_id")
    return (record, variant) if variant else None


def _location(ctx, numeric: int | None):
    found = locations.find(ctx.view.kind, numeric)
    return location_node(ctx, found) if found else None


def node_by_gid(ctx, value: str):
    kind = value.split("/")[3] if isinstance(value, str) and value.count("/") >= 4 else ""
    if kind == "Product":
        return _product_by_gid(ctx, value)
    if kind == "ProductVariant":
        parts = _variant_parts(ctx, value, "ProductVariant", catalog.VARIANT_BASE)
        return variant_node(ctx, *parts) if parts else None
    if kind == "InventoryItem":
        parts = _variant_parts(ctx, value, "InventoryItem", catalog.INVENTORY_ITEM_BASE)
        return inventory_item_node(ctx, parts[1]["inventory_item_id"], *parts) if parts else None
    if kind == "InventoryLevel":
        item = value.partition("inventory_item_id=")[2]
        location_id = catalog.parse_gid(value, "InventoryLevel")
        parts = _variant_parts(ctx, f"gid://shopify/InventoryItem/{item}", "InventoryItem",
                               catalog.INVENTORY_ITEM_BASE)  # fmt: skip
        if parts is None or location_id not in ctx.levels(parts[1]):
            return None
        return inventory_level_node(ctx, int(item), *parts, location_id)
    if kind == "Location":
        return _location(ctx, catalog.parse_gid(value, "Location"))
    if kind == "Collection":
        return collection_by_gid(ctx, value)
    if kind == "Order":
        numeric = catalog.parse_gid(value, "Order")
        order = ctx.store.order(ctx.shop, catalog.order_index(numeric)) if numeric else None
        return order_node(ctx, order) if order else None
    if kind == "BulkOperation":
        row = ctx.store.bulk_row(ctx.shop, catalog.parse_gid(value, "BulkOperation") or 0)
        return bulk_node(ctx, row) if row else None
    if kind == "WebhookSubscription":
        return next((s for s in ctx.store.subscriptions(ctx.shop) if s["id"] == value), None)
    return None


def _products(info, **args):
    ctx = info.context
    if ctx.bulk and info.path.prev is None:
        args = {**args, "first": listing.MAX_PAGE, "after": ctx.bulk_after}
    page = listing.product_page(ctx.view, args)
    ctx.prefetch_inventory(page["records"])
    if ctx.bulk and info.path.prev is None:
        ctx.bulk_next = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    _after_page(ctx, info, "products", page)
    return connection(info, page, lambda r: product_node(ctx, r))


def _after_page(ctx, info, name: str, page: dict) -> None:
    hook = ctx.store.page_hook
    if hook is not None and info.path.prev is None:
        hook(ctx.shop, name, page)


def _orders(info, **args):
    ctx = info.context
    if ctx.bulk and info.path.prev is None:
        args = {**args, "first": listing.MAX_PAGE, "after": ctx.bulk_after}
    page = listing.order_page(ctx.store, ctx.shop, args)
    if ctx.bulk and info.path.prev is None:
        ctx.bulk_next = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    _after_page(ctx, info, "orders", page)
    return connection(info, page, lambda r: order_node(ctx, r))


def _product_variants(info, query=None, **args):
    """Root ``productVariants``, in bulk operations only (the sync exports each variant's image with it):
    every variant of every product, a page of products at a time."""
    ctx = info.context
    if not (ctx.bulk and info.path.prev is None):
        raise GraphQLError("The demo store answers productVariants in bulk operations only.")
    page = listing.product_page(ctx.view, {"first": listing.MAX_PAGE, "after": ctx.bulk_after})
    ctx.bulk_next = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    pairs = [(r, v) for r in page["records"] for v in r["variants"]]
    resolve = list_connection(pairs, lambda pair: variant_node(ctx, *pair), id_of=lambda pair: pair[1]["id"])
    return resolve(info, **args)


def _locations(info, includeInactive=False, query=None, **args):
    ctx = info.context
    found = locations.for_kind(ctx.view.kind, include_inactive=bool(includeInactive))
    cap = listing.MAX_PAGE
    if ctx.bulk and info.path.prev is None:
        args, cap, ctx.bulk_next = {"first": len(found)}, max(len(found), cap), None
    page = listing.simple_page(found, args, cap=cap)
    return connection(info, page, lambda loc: location_node(ctx, loc))


def _products_count(info, query=None, limit=10000, savedSearchId=None):
    view = info.context.view
    filters = listing.parse_query(query)
    if view.kind != "uniform":  # a small catalog with drafts among its base records: count them one by one
        records = (view.product(i) for i in range(view.product_count))
        return count(sum(1 for r in records if r is not None and filters.accepts(r)))
    lo, hi = listing._base_range(view, filters)  # noqa: SLF001 - same package
    touched = sum(1 for i in set(view.changes) | view.deleted if lo <= i < hi)
    changed = sum(1 for i, r in view.changes.items() if i not in view.deleted and filters.accepts(r))
    total = hi - lo - touched + changed
    if limit is not None and total > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return count(total)


def _webhook_subscriptions(info, topics=None, **args):
    ctx = info.context
    items = ctx.store.subscriptions(ctx.shop, [topic_to_enum(t) for t in topics] if topics else None)
    for key in ("uri", "callbackUrl"):
        if args.get(key):
            items = [s for s in items if s["uri"] == args[key]]
    return connection(info, listing.simple_page(items, args), lambda s: s)


def _bulk_operations(info, query=None, **args):
    ctx = info.context
    rows = ctx.store.bulk_rows(ctx.shop)
    filters = listing.parse_query(query)
    if filters.status:
        rows = [r for r in rows if r["status"].lower() in filters.status]
    nodes = [bulk_node(ctx, r) for r in rows]
    return connection(info, listing.simple_page(nodes, args), lambda n: n)


def _current_bulk(info, type="QUERY"):
    rows = info.context.store.bulk_rows(info.context.shop)
    return bulk_node(info.context, rows[0]) if rows and type == "QUERY" else None


def query_root() -> dict:
    def by_id(info, id):
        return node_by_gid(info.context, id)

    def need(kind):
        def resolve(info, id):
            if not isinstance(id, str) or not id.startswith(f"gid://shopify/{kind}/"):
                raise GraphQLError(
                    f"Invalid global id '{id}'", extensions={"code": "argumentLiteralsIncompatible"}
                )
            return node_by_gid(info.context, id)

        return resolve

    return {
        "shop": lambda info: shop_node(info.context),
        "products": _products,
        "productsCount": _products_count,
        "product": need("Product"),
        "productVariant": need("ProductVariant"),
        "productVariants": _product_variants,
        "orders": _orders,
        "abandonedCheckouts": checkouts_page,
        "ordersCount": lambda info, **a: count(info.context.store.order_total(info.context.shop)),
        "order": need("Order"),
        "inventoryItem": need("InventoryItem"),
        "inventoryItems": inventory_items_field,
        "inventoryLevel": need("InventoryLevel"),
        "location": lambda info, id=None: (
            _location(info.context, catalog.parse_gid(id, "Location")) if id else location_node(info.context)
        ),
        "locations": _locations,
        "locationsCount": lambda info, **a: count(
            len(locations.for_kind(info.context.view.kind, include_inactive=False))
        ),
        "collections": collections_field,
        "collection": collection_field,
        "collectionsCount": collections_count,
        "webhookSubscriptions": _webhook_subscriptions,
        "webhookSubscription": need("WebhookSubscription"),
        "bulkOperation": need("BulkOperation"),
        "bulkOperations": _bulk_operations,
        "currentBulkOperation": _current_bulk,
        "node": by_id,
        "nodes": lambda info, ids: [node_by_gid(info.context, i) for i in ids],
    }


__all__ = ["query_root", "shop_node", "order_node", "bulk_node", "node_by_gid", "subscription_node"]
