"""The Facebook catalog push after a catalog sync: mark the run's changed products `pending`, enqueue their
push (`jobs.push_catalog_to_facebook`, on the `default` queue, in chunks of `PUSH_CHUNK`), and send them to
the connected Meta catalog through `items_batch`, recording each product's outcome in
`platform_sync.facebook`.

Called by `runner` after a catalog run that changed something; the job itself is registered in `jobs`.
Re-sending the same upserts is harmless, so the push is safe to run twice. Talks to Meta only through the
client `app.integrations.clients` builds.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from app.extensions import db
from app.integrations.clients import meta_catalog_client
from app.models import Integration, Product, ProductVariant, SyncLog
from app.models.types import utcnow
from app.platforms.errors import MetaError
from app.platforms.meta_catalog import (
    ITEMS_BATCH_MAX,
    catalog_delete_requests,
    product_to_catalog_items,
    retailer_id_for,
)
from app.queues import enqueue, safe_retry

log = logging.getLogger(__name__)

PUSH_CHUNK = 1000


def _facebook(workspace_id: int) -> Integration | None:
    return db.session.scalars(
        select(Integration).where(
            Integration.workspace_id == workspace_id,
            Integration.platform == "facebook",
            Integration.status == "connected",
        )  # fmt: skip
    ).first()


def enqueue_facebook_push(workspace_id: int, *, run_id: int) -> int:
    """After a catalog sync: mark the run's changed products `pending` and enqueue their push."""
    if _facebook(workspace_id) is None:
        return 0
    ids = sorted({int(i) for i in db.session.scalars(
        select(SyncLog.entity_id).where(SyncLog.sync_run_id == run_id, SyncLog.entity_type == "product",
                                        SyncLog.action.in_(("create", "update", "delete")))
    )})  # fmt: skip
    for start in range(0, len(ids), PUSH_CHUNK):
        chunk = ids[start : start + PUSH_CHUNK]
        _record(workspace_id, chunk, {"status": "pending", "queued_at": utcnow().isoformat()})
        db.session.commit()
        enqueue("sync.push_facebook", workspace_id, chunk, retry=safe_retry())
    return len(ids)


def push_catalog_to_facebook(workspace_id: int, product_ids: list[int]) -> dict:
    """Upsert (or delete) the products' items in the connected Meta catalog; record the outcome."""
    facebook = _facebook(workspace_id)
    if facebook is None or not (facebook.config or {}).get("catalog_id"):
        return {"pushed": 0, "skipped": len(product_ids)}
    shop = db.session.scalars(
        select(Integration).where(Integration.workspace_id == workspace_id, Integration.platform == "shopify")
    ).first()
    shop_domain = shop.account_id if shop else None
    default_currency = ((shop.config or {}).get("currency") if shop else None) or "USD"
    products = db.session.scalars(
        select(Product).where(
            Product.workspace_id == workspace_id,
            Product.id.in_(product_ids),
            Product.shopify_product_id.is_not(None),
        )  # fmt: skip
    ).all()
    variants: dict[int, list[ProductVariant]] = {}
    for variant in db.session.scalars(
        select(ProductVariant).where(ProductVariant.product_id.in_([p.id for p in products]))
        .order_by(ProductVariant.position)
    ):  # fmt: skip
        variants.setdefault(variant.product_id, []).append(variant)
    requests_, live, gone = [], [], []
    for product in products:
        if product.deleted_at is not None or product.status != "active":
            ids = [retailer_id_for(v.shopify_variant_id) for v in variants.get(product.id, [])]
            requests_ += catalog_delete_requests(
                ids or [retailer_id_for(product.shopify_product_id, "product")]
            )
            gone.append(product.id)
        else:
            plain = _plain_product(product, variants.get(product.id, []), shop_domain, default_currency)
            requests_ += product_to_catalog_items(plain)
            live.append(product.id)
    if not requests_:
        return {"pushed": 0, "skipped": len(product_ids)}
    client = meta_catalog_client(facebook)
    try:
        handles = client.items_batch(facebook.config["catalog_id"], requests_, chunk_size=ITEMS_BATCH_MAX)
    except MetaError as exc:
        _record(workspace_id, live + gone, {"status": "error", "error": exc.merchant_message,
                                             "at": utcnow().isoformat()})  # fmt: skip
        db.session.commit()
        if exc.retryable:
            raise  # RQ retries (1, 2, 4 s); the same upserts are harmless to repeat
        log.warning("facebook push for workspace %s failed: %s", workspace_id, exc)
        return {"pushed": 0, "error": exc.merchant_message}
    state = {"status": "pushed", "handle": handles[0] if handles else None, "pushed_at": utcnow().isoformat()}
    _record(workspace_id, live, state)
    _record(workspace_id, gone, {**state, "status": "deleted"})
    db.session.commit()
    return {"pushed": len(live), "deleted": len(gone), "handles": handles}


def _plain_product(product: Product, variants: list[ProductVariant], shop_domain, currency) -> dict:
    image = (product.images or [{}])[0].get("url") if product.images else None
    link = f"https://{shop_domain}/products/{product.handle}" if shop_domain and product.handle else None
    return {
        "id": product.shopify_product_id, "title": product.title, "description": product.description_html,
        "price": product.price_min or 0, "currency": product.currency or currency, "image_url": image,
        "link": link, "brand": product.vendor,
        "available": sum(v.inventory_quantity or 0 for v in variants) if variants else None,
        "variants": [
            {"id": v.shopify_variant_id, "title": v.title, "price": v.price, "compare_at_price": v.compare_at_price,
             "available": v.inventory_quantity}
            for v in variants
        ],
    }  # fmt: skip


def _record(workspace_id: int, product_ids: list[int], state: dict) -> None:
    """Set `platform_sync.facebook` on each product (read-modify-write: JSON merge differs per dialect)."""
    if not product_ids:
        return
    rows = db.session.execute(
        select(Product.id, Product.platform_sync).where(
            Product.workspace_id == workspace_id, Product.id.in_(product_ids)
        )
    ).all()
    changes = [{"id": pid, "platform_sync": {**(ps or {}), "facebook": state}} for pid, ps in rows]
    if changes:
        db.session.execute(update(Product), changes)  # one executemany by primary key
