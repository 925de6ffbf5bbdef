"""Re-read chosen products from Shopify ("Re-sync from Shopify" on the Products page): an RQ job on `sync`.

`refresh_products(workspace_id, product_ids)` fetches each product that has a Shopify id with
`product(id:)` (all its variants, paged when a product has more than one page of them) and writes it through
the sync's own mapping and writer (`mapping.product_from_graphql`, `catalog_writer.upsert_products`). It is
forced: Shopify's values replace the stored ones whatever their version, a local edit included, and a product
hidden (deleted) locally that Shopify still has comes back. A product Shopify no longer has is soft-deleted,
as `products/delete` would. Each product's sync_log line says what really happened: update, restore or
unchanged. One commit per product: a job cut short keeps what it did, and running it again changes nothing
more. Must not decide anything about stock or channels.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.extensions import db
from app.integrations.clients import shopify_client
from app.models import Integration, Product, ProductVariant, SyncLog
from app.platforms import errors
from app.sync import connections
from app.sync.catalog_writer import soft_delete_products, upsert_products
from app.sync.mapping import product_from_graphql

log = logging.getLogger(__name__)
VARIANTS_FIRST = 100


def refresh_products(workspace_id: int, product_ids: list[int]) -> dict[str, int]:
    """The job. Returns counts: updated (Shopify's values differed), restored (hidden locally, back now),
    unchanged (already Shopify's), deleted (gone from Shopify), skipped (no Shopify id or no connected
    store), failed (Shopify refused that one product; the others go on)."""
    done = {"updated": 0, "restored": 0, "unchanged": 0, "deleted": 0, "skipped": 0, "failed": 0}
    rows = db.session.execute(
        select(Product.id, Product.shopify_product_id, Product.integration_id).where(
            Product.workspace_id == workspace_id,
            Product.id.in_([int(i) for i in product_ids]),
            Product.shopify_product_id.is_not(None),
        )
    ).all()
    done["skipped"] = len(set(product_ids)) - len(rows)
    stores = db.session.scalars(
        select(Integration)
        .where(Integration.workspace_id == workspace_id, Integration.platform == "shopify",
               Integration.status == "connected")
        .order_by(Integration.id)
    ).all()  # fmt: skip
    by_store: dict[int, dict[int, str]] = {}
    for product_id, product_gid, integration_id in rows:
        # A product is read from its own store; one from before products were per store, from the first.
        owner = integration_id if integration_id is not None else (stores[0].id if stores else None)
        by_store.setdefault(owner, {})[product_id] = product_gid
    connected = {i.id: i for i in stores}
    for integration_id, targets in sorted(by_store.items(), key=lambda kv: kv[0] or 0):
        integration = connected.get(integration_id)
        if integration is None:
            log.info("workspace %s: store %s not connected; %d products not refreshed", workspace_id,
                     integration_id, len(targets))  # fmt: skip
            done["skipped"] += len(targets)
            continue
        _refresh_store(workspace_id, integration, targets, done)
    log.info("workspace %s: refreshed products from Shopify: %s", workspace_id, done)
    return done


def _refresh_store(workspace_id: int, integration: Integration, targets: dict[int, str], done: dict) -> None:
    integration_id, currency = integration.id, (integration.config or {}).get("currency")
    client = shopify_client(integration)
    db.session.rollback()  # no transaction held open while Shopify answers
    for product_id, product_gid in sorted(targets.items()):
        try:
            node = fetch_product(client, product_gid)
        except (errors.ShopifyAuthError, errors.ShopifyUnavailable):
            # The whole store is unreachable (needs reauth, or down after the client's retries): the job
            # fails with what it did so far committed; RQ's retry or the merchant starts it again.
            raise
        except errors.ShopifyError as exc:
            log.warning("product %s (%s): refresh failed: %s", product_id, product_gid, exc)
            done["failed"] += 1
            continue
        if node is None:
            soft_delete_products(workspace_id, gids=[product_gid], integration_id=integration_id)
            done["deleted"] += 1
        else:
            before = _snapshot(product_id)
            upsert_products(workspace_id, [product_from_graphql(node)], integration_id=integration_id,
                            currency=currency, force=True, log_lines=False)  # fmt: skip
            outcome = _outcome(before, _snapshot(product_id))
            done[outcome] += 1
            db.session.add(SyncLog(workspace_id=workspace_id, integration_id=integration_id, entity_type="product",
                                   entity_id=str(product_id), action=ACTIONS[outcome], status="success"))  # fmt: skip
            log.info("product %s (%s): re-read from Shopify: %s", product_id, product_gid, outcome)
        db.session.commit()


ACTIONS = {"updated": "update", "restored": "restore", "unchanged": "unchanged"}
_COMPARED = ("title", "handle", "description_html", "vendor", "product_type", "status", "tags")
_VARIANT_COMPARED = ("shopify_variant_id", "title", "sku", "barcode", "price", "compare_at_price", "position")


def _snapshot(product_id: int) -> tuple:
    """What the merchant sees of a product: its fields, whether it is hidden, and its variants."""
    row = db.session.execute(
        select(Product.deleted_at, *(getattr(Product, c) for c in _COMPARED)).where(Product.id == product_id)
    ).one()
    variants = db.session.execute(
        select(*(getattr(ProductVariant, c) for c in _VARIANT_COMPARED))
        .where(ProductVariant.product_id == product_id)
        .order_by(ProductVariant.shopify_variant_id)
    ).all()
    return row[0] is not None, tuple(row[1:]), tuple(tuple(v) for v in variants)


def _outcome(before: tuple, after: tuple) -> str:
    if before[0] and not after[0]:
        return "restored"
    return "unchanged" if before == after else "updated"


def fetch_product(client, product_gid: str) -> dict | None:
    """One product by id with every variant and media item (None if Shopify no longer has it); the
    drift audit's repair reads the products it found different through this too."""
    node = client.get_product(product_gid, variants_first=VARIANTS_FIRST)
    if node is not None and ((node.get("variants") or {}).get("pageInfo") or {}).get("hasNextPage"):
        node["variants"] = {"nodes": list(connections.all_variants(client, product_gid))}
    if node is not None:
        connections.complete_product_media(client, node)
    return node
