"""A dashboard edit of a Shopify product, on its way to Shopify: mark the row, queue the push, retry.

`record_edit` runs in the edit's own transaction, after the new values were set on the rows: it keeps the
fields Shopify holds (`PRODUCT_FIELDS`, `VARIANT_FIELDS`) as the pending edit in
`platform_sync["shopify"]` (state "saving") and clears `source_updated_at`, the mark that makes the next
sync or webhook write Shopify's version over the row whatever its `updatedAt` (a local edit is never hidden
by the sync's "unchanged" skip). `queue_push` enqueues `sync.push_edit` after the commit. States the page
shows: "saving" (to Shopify), "local" (not in Shopify, with `error`), and none once Shopify confirmed.
Must not call Shopify itself (the job in `app.sync.push_edits` does).
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from rq import Retry

from app.extensions import db
from app.models import Product
from app.queues import QueueUnavailable, enqueue
from app.sync.push_edits import mark_local

log = logging.getLogger(__name__)

PRODUCT_FIELDS = ("title", "handle", "description_html", "vendor", "product_type", "status", "tags")
VARIANT_FIELDS = ("price", "compare_at_price", "sku", "barcode")
QUEUE_DOWN = "The job queue is not reachable, so the change was not sent. Retry in a minute."


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def record_edit(product: Product, fields: dict, variants: dict | None = None) -> bool:
    """Keep what Shopify must receive of this edit: `fields` (column -> new value) of the product and
    `variants` ({variant: {column: new value}}). False (nothing to push) for a product made here, or an edit
    of local-only fields (the category)."""
    if not product.shopify_product_id:
        return False
    changed = {k: _plain(v) for k, v in fields.items() if k in PRODUCT_FIELDS}
    changed_variants = {
        variant.shopify_variant_id: {k: _plain(v) for k, v in values.items() if k in VARIANT_FIELDS}
        for variant, values in (variants or {}).items()
        if variant.shopify_variant_id
    }
    changed_variants = {g: v for g, v in changed_variants.items() if v}
    if not changed and not changed_variants:
        return False
    sync = dict(product.platform_sync or {})
    shop = dict(sync.get("shopify") or {})
    pending = shop.get("pending") or {}
    merged_variants = dict(pending.get("variants") or {})
    for gid, values in changed_variants.items():
        merged_variants[gid] = {**merged_variants.get(gid, {}), **values}
    shop.update(synced=False, state="saving", error=None, edit=uuid.uuid4().hex,
                pending={"product": {**(pending.get("product") or {}), **changed}, "variants": merged_variants})  # fmt: skip
    sync["shopify"] = shop
    product.platform_sync = sync
    product.source_updated_at = None
    return True


def queue_push(product_id: int) -> None:
    """After the commit: send the pending edit (retried by RQ when Shopify is busy or down)."""
    try:
        enqueue("sync.push_edit", product_id, retry=Retry(max=3, interval=[5, 30, 120]))
    except QueueUnavailable:
        log.warning("product %s: edit not queued (Redis down)", product_id)
        mark_local(product_id, QUEUE_DOWN)


def retry_push(product: Product) -> bool:
    """The merchant's "Retry": back to "saving" and queued again. False when nothing is pending."""
    shop = dict((product.platform_sync or {}).get("shopify") or {})
    if not shop.get("pending"):
        return False
    shop.update(state="saving", error=None)
    product.platform_sync = {**(product.platform_sync or {}), "shopify": shop}
    db.session.commit()
    queue_push(product.id)
    return True


def edit_state(product: Product) -> dict:
    """{"state": "saving" | "local" | "saved" | None, "error": ...} for the page's badge."""
    shop = (product.platform_sync or {}).get("shopify") or {}
    return {"state": shop.get("state"), "error": shop.get("error"), "saved_at": shop.get("saved_at")}
