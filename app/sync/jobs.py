"""RQ job functions of the sync area. They take ids, load what they need, do one thing, and are safe to
run twice: a sync job resumes its run from the cursor (or leaves when another live job holds it, or when
the run is finished); a catalog push re-sends the same upserts. Enqueued with `Retry(max=3, [1, 2, 4])`.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from app.extensions import db
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


def sync_integration(integration_id: int, run_id: int) -> str:
    from app.sync.runner import execute_run

    return execute_run(run_id)


def start_scheduled_syncs(kind: str = "incremental") -> dict[str, int]:
    """Hourly (incremental) and nightly (full): a run for every connected Shopify store not already busy."""
    from app.sync.service import SyncError, start_sync

    started = skipped = 0
    ids = db.session.scalars(
        select(Integration.id).where(Integration.platform == "shopify", Integration.status == "connected")
    ).all()
    for integration_id in ids:
        try:
            start_sync(db.session.get(Integration, integration_id), kind)
            started += 1
        except SyncError as exc:
            skipped += 1
            log.info("scheduled %s sync of integration %s skipped: %s", kind, integration_id, exc.message)
    return {"started": started, "skipped": skipped}


def nightly_full_sync() -> dict[str, int]:
    return start_scheduled_syncs("full")


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
    from app.integrations.clients import meta_catalog_client

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
