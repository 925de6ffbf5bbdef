"""Collections (custom and smart) of one store and the products each holds, read after a full catalog sync.

Paged by cursor (`COLLECTIONS_PAGE_QUERY` per kind, then `COLLECTION_PRODUCTS_PAGE_QUERY` for a collection
holding more than a page's first products): nothing is cut short. Each collection's membership is replaced
as a whole, in Shopify's order; a collection of the store that the read did not see is deleted. Products
are linked by GID within the workspace (a product not synced yet is linked by the next sync). One commit
per page of collections. `refresh_collection` (a job, after a collections/create|update webhook, whose body
lists no products) reads one collection the same way. Reads Shopify only through the client.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, or_, select

from app.extensions import db
from app.id_chunks import chunks
from app.integrations.clients import shopify_client
from app.models import Collection, CollectionProduct, Integration, Product
from app.models.types import utcnow
from app.platforms.shopify import queries
from app.sync.connections import more_after, read_rest
from app.sync.mapping import collection_from_graphql
from app.sync.upsert_sql import dialect_insert, write_rows

log = logging.getLogger(__name__)
KINDS = ("custom", "smart")
# 10 collections with their first 50 products cost ~520 points.
COLLECTIONS_FIRST = 10
PRODUCTS_FIRST = 50


def sync_collections(client, workspace_id: int, integration_id: int) -> int:
    """Read every collection of the store and write them; returns how many the store has."""
    started = utcnow()
    seen = 0
    for kind in KINDS:
        after = None
        while True:
            variables = {"first": COLLECTIONS_FIRST, "after": after, "query": f"collection_type:{kind}",
                         "productsFirst": PRODUCTS_FIRST}  # fmt: skip
            connection = client.execute(queries.COLLECTIONS_PAGE_QUERY, variables).get("collections") or {}
            nodes = connection.get("nodes") or []
            for node in nodes:
                rest = more_after(node.get("products"))
                if rest:
                    more = read_rest(client, queries.COLLECTION_PRODUCTS_PAGE_QUERY, "collection", "products", node["id"],
                                 rest)  # fmt: skip
                    node["products"] = {"nodes": [*node["products"].get("nodes", []), *more]}
            write_collections(
                workspace_id, integration_id, [collection_from_graphql(n, kind) for n in nodes], started
            )
            db.session.commit()
            seen += len(nodes)
            after = more_after(connection)
            if not after:
                break
    gone = db.session.execute(
        delete(Collection).where(
            Collection.workspace_id == workspace_id,
            Collection.integration_id == integration_id,
            or_(Collection.seen_at.is_(None), Collection.seen_at < started),
        )  # fmt: skip
    ).rowcount
    db.session.commit()
    log.info("integration %s: %s collections synced, %s gone", integration_id, seen, gone)
    return seen


def refresh_collection(integration_id: int, collection_gid: str) -> str:
    """The job: read one collection of the store whole and write it (deleted when the store no longer has
    it). Returns "updated", "deleted" or "skipped" (the store is not connected any more)."""
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.status != "connected":
        return "skipped"
    workspace_id = integration.workspace_id
    client = shopify_client(integration)
    db.session.rollback()  # no transaction held open while Shopify answers
    numeric = collection_gid.rsplit("/", 1)[-1]
    variables = {"id": collection_gid, "productsFirst": PRODUCTS_FIRST,
                 "smartQuery": f"collection_type:smart id:{numeric}"}  # fmt: skip
    data = client.execute(queries.COLLECTION_BY_ID_QUERY, variables)
    node = data.get("collection")
    if node is None:
        delete_collection(workspace_id, integration_id, collection_gid)
        db.session.commit()
        return "deleted"
    rest = more_after(node.get("products"))
    if rest:
        more = read_rest(
            client, queries.COLLECTION_PRODUCTS_PAGE_QUERY, "collection", "products", node["id"], rest
        )
        node["products"] = {"nodes": [*node["products"].get("nodes", []), *more]}
    smart = {n.get("id") for n in (data.get("smart") or {}).get("nodes") or []}
    kind = "smart" if node["id"] in smart else "custom"
    write_collections(workspace_id, integration_id, [collection_from_graphql(node, kind)], utcnow())
    db.session.commit()
    return "updated"


def delete_collection(workspace_id: int, integration_id: int, collection_gid: str) -> int:
    """Caller commits; its product links go with it."""
    return db.session.execute(
        delete(Collection).where(
            Collection.workspace_id == workspace_id,
            Collection.integration_id == integration_id,
            Collection.shopify_collection_id == collection_gid,
        )
    ).rowcount


def write_collections(workspace_id: int, integration_id: int | None, records: list[dict], now) -> None:
    """Upsert the collections and replace their products. Caller commits."""
    if not records:
        return
    rows = [
        {"workspace_id": workspace_id, "integration_id": integration_id, "created_at": now, "seen_at": now,
         **{k: r[k] for k in ("shopify_collection_id", "title", "handle", "kind", "source_updated_at")}}
        for r in records
    ]  # fmt: skip
    stmt = dialect_insert(Collection).values(rows)
    columns = ("integration_id", "title", "handle", "kind", "source_updated_at", "seen_at")
    stmt = stmt.on_conflict_do_update(
        index_elements=["workspace_id", "shopify_collection_id"], set_={c: stmt.excluded[c] for c in columns}
    ).returning(Collection.id, Collection.shopify_collection_id)
    ids = {g: i for i, g in db.session.execute(stmt).all()}
    gids = sorted({g for r in records for g in r["product_gids"]})
    products = {
        gid: product_id
        for batch in chunks(gids)  # a collection may hold every product of the shop
        for gid, product_id in db.session.execute(
            select(Product.shopify_product_id, Product.id).where(
                Product.workspace_id == workspace_id, Product.shopify_product_id.in_(batch)
            )
        )
    }
    db.session.execute(
        delete(CollectionProduct).where(CollectionProduct.collection_id.in_(list(ids.values())))
    )
    links = []
    for r in records:
        position = 0
        for product_gid in dict.fromkeys(r["product_gids"]):
            if product_gid in products:
                position += 1
                links.append({"collection_id": ids[r["shopify_collection_id"]], "product_id": products[product_gid],
                              "position": position})  # fmt: skip
    if links:  # set-based: one JSON batch on Postgres, however many products the collection holds
        write_rows(CollectionProduct.__table__, links)
