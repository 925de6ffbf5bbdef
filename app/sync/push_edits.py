"""Send a product's pending dashboard edit to Shopify (`sync.push_edit`, an RQ job on `default`).

The pending edit (`platform_sync["shopify"]["pending"]`, kept by `app.services.shopify_edits`) goes out as
`productUpdate` (title, handle, description, vendor, type, tags, status) and `productVariantsBulkUpdate`
(price, compare-at price, SKU, barcode). Both set absolute values, so the job is safe to run twice; a run
that finds nothing pending does nothing. On success the row takes the sent values (a sync that ran meanwhile
may have written Shopify's older ones) and Shopify's returned `updatedAt`, so the next sync sees it current.
Refusals (userErrors, a 401/403, no connected store) leave the row "local" with Shopify's message, for the
merchant to fix and retry; a busy or unreachable Shopify (429, throttled, 5xx) also marks it, then raises so
RQ retries. No transaction is held open while Shopify answers.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.integrations.clients import shopify_client
from app.models import Integration, Product, SyncLog
from app.models.types import utcnow
from app.platforms.errors import ShopifyError, ShopifyThrottled, ShopifyUnavailable
from app.sync.mapping import money, parse_time

log = logging.getLogger(__name__)
NO_STORE = "No connected Shopify store: connect it on the Integrations page, then retry."
PRODUCT_INPUT = {"title": "title", "handle": "handle", "description_html": "descriptionHtml", "vendor": "vendor",
                 "product_type": "productType", "tags": "tags", "status": "status"}  # fmt: skip


def product_input(product_gid: str, fields: dict) -> dict:
    """Our columns -> Shopify's `ProductUpdateInput`."""
    out = {"id": product_gid}
    for column, value in fields.items():
        if column == "tags":
            value = [t.strip() for t in (value or "").split(",") if t.strip()]
        elif column == "status":
            value = (value or "active").upper()
        elif column in ("description_html", "vendor", "product_type"):
            value = value or ""
        out[PRODUCT_INPUT[column]] = value
    return out


def variant_input(variant_gid: str, fields: dict) -> dict:
    """Our variant columns -> Shopify's `ProductVariantsBulkInput` (the SKU is the inventory item's)."""
    out: dict = {"id": variant_gid}
    if "price" in fields:
        out["price"] = fields["price"]
    if "compare_at_price" in fields:
        out["compareAtPrice"] = fields["compare_at_price"]
    if "barcode" in fields:
        out["barcode"] = fields["barcode"]
    if "sku" in fields:
        out["inventoryItem"] = {"sku": fields["sku"] or ""}
    return out


def _store(product: Product) -> Integration | None:
    criteria = [Integration.workspace_id == product.workspace_id, Integration.platform == "shopify",
                Integration.status == "connected"]  # fmt: skip
    if product.integration_id is not None:
        criteria.append(Integration.id == product.integration_id)
    return db.session.scalars(select(Integration).where(*criteria).order_by(Integration.id)).first()


def push_product_edit(product_id: int) -> str:
    """The job: "pushed", "nothing" (no pending edit: already sent, or Shopify's values replaced it),
    "failed" (refused; the row says why)."""
    product = db.session.get(Product, product_id)
    shop = ((product.platform_sync or {}).get("shopify") or {}) if product else {}
    pending, edit = shop.get("pending"), shop.get("edit")
    if product is None or not pending or not product.shopify_product_id:
        return "nothing"
    integration = _store(product)
    if integration is None:
        if mark_local(product_id, NO_STORE, edit):
            _log(db.session.get(Product, product_id), "error", NO_STORE)
            db.session.commit()
        return "failed"
    product_gid, integration_id = product.shopify_product_id, integration.id
    client = shopify_client(integration, **(current_app.config.get("SYNC_CLIENT_OPTIONS") or {}))
    db.session.commit()
    try:
        updated_at = None
        if pending.get("product"):
            node = client.update_product(product_input(product_gid, pending["product"]))
            updated_at = node.get("updatedAt")
        if pending.get("variants"):
            inputs = [variant_input(g, v) for g, v in sorted(pending["variants"].items())]
            payload = client.update_variants(product_gid, inputs)
            updated_at = (payload.get("product") or {}).get("updatedAt") or updated_at
    except (ShopifyThrottled, ShopifyUnavailable) as exc:
        _fail(product_id, edit, integration_id, exc)
        raise  # RQ tries again later; the row says it is not in Shopify until then
    except ShopifyError as exc:
        _fail(product_id, edit, integration_id, exc)
        return "failed"
    return (
        "pushed" if _landed(product_id, edit, pending, parse_time(updated_at), integration_id) else "nothing"
    )


def mark_local(product_id: int, message: str, edit: str | None = None) -> bool:
    """The pending edit did not reach Shopify: state "local" with the merchant-readable `message` (only if
    the edit is still `edit`, when given: a newer one is on its way)."""
    db.session.rollback()
    product = db.session.get(Product, product_id)
    shop = dict((product.platform_sync or {}).get("shopify") or {}) if product else {}
    if not shop.get("pending") or (edit is not None and shop.get("edit") != edit):
        return False
    shop.update(state="local", synced=False, error=message)
    product.platform_sync = {**(product.platform_sync or {}), "shopify": shop}
    db.session.commit()
    return True


def _message(exc: ShopifyError) -> str:
    if exc.user_errors:
        return "Shopify refused the change: " + "; ".join(str(e.get("message")) for e in exc.user_errors)
    return exc.merchant_message


def _fail(product_id: int, edit: str, integration_id: int, exc: ShopifyError) -> None:
    message = _message(exc)
    log.warning("product %s: edit not taken by Shopify (integration %s): %s", product_id, integration_id, exc)
    if mark_local(product_id, message, edit):
        _log(db.session.get(Product, product_id), "error", message, integration_id)
        db.session.commit()


def _landed(product_id: int, edit: str, pending: dict, updated_at, integration_id: int) -> bool:
    """Shopify holds the edit: the row takes it and Shopify's version (unless a newer edit is pending)."""
    product = db.session.get(Product, product_id)
    shop = dict((product.platform_sync or {}).get("shopify") or {})
    if shop.get("edit") != edit:
        return False  # edited again meanwhile: that edit's job sends everything pending
    now = utcnow()
    for column, value in (pending.get("product") or {}).items():
        setattr(product, column, value)
    by_gid = {v.shopify_variant_id: v for v in product.variants}
    for variant_gid, values in (pending.get("variants") or {}).items():
        variant = by_gid.get(variant_gid)
        for column, value in (values if variant is not None else {}).items():
            setattr(variant, column, money(value) if column in ("price", "compare_at_price") else value)
    prices = [v.price for v in product.variants if v.price is not None]
    product.price_min, product.price_max = (min(prices), max(prices)) if prices else (None, None)
    product.source_updated_at = updated_at
    for name in ("pending", "edit", "error"):
        shop.pop(name, None)
    shop.update(state="saved", synced=True, saved_at=now.isoformat(), last_sync_at=now.isoformat(),
                updated_at=updated_at.isoformat() if updated_at else None)  # fmt: skip
    product.platform_sync = {**(product.platform_sync or {}), "shopify": shop}
    product.updated_at = now
    _log(product, "success", None, integration_id)
    db.session.commit()
    log.info("product %s: edit saved to Shopify (updatedAt %s)", product_id, updated_at)
    return True


def _log(product: Product, status: str, error: str | None, integration_id: int | None = None) -> None:
    db.session.add(SyncLog(workspace_id=product.workspace_id, integration_id=integration_id, entity_type="product",
                           entity_id=str(product.id), action="push", status=status, error_message=error))  # fmt: skip
