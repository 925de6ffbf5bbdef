"""Disconnecting an integration: by the merchant (`disconnect`) or by Shopify's `app/uninstalled`.

Forgets the tokens, clears the webhook subscription ids and marks that store's products as no longer synced
from Shopify (one set-based UPDATE; the products stay; another store's products are not touched). `disconnect` first deletes the subscriptions it created;
`handle_app_uninstalled` calls nobody, since the token is already dead. Callers use `app.integrations.service`.
Neither ends the row's hold on its account (`proved_at`, see `integration_hold`): a disconnected workspace still
has the account's data and keeps receiving its compliance requests. `release` ends a hold when another
workspace proves the account afresh.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, text

from app.extensions import db
from app.integrations.clients import mark_needs_reauth, shopify_client
from app.models import Integration
from app.models.scoping import WorkspaceScope
from app.platforms.errors import PlatformError

log = logging.getLogger(__name__)

UNINSTALLED_MESSAGE = (
    "The Shopify app was uninstalled from this store, so syncing stopped. Reconnect the store to resume."
)


def disconnect(integration: Integration) -> Integration:
    """Delete the webhook subscriptions we created, forget the tokens, keep products (marked not synced)."""
    if integration.platform == "shopify" and integration.status == "connected":
        ids = list((integration.config or {}).get("webhook_subscription_ids") or [])
        client = shopify_client(integration)
        for subscription_id in ids:
            try:
                client.delete_webhook(subscription_id)
            except PlatformError as exc:
                # The merchant wants out: a failed delete must not keep the token; Shopify drops the
                # subscriptions itself when the app is uninstalled.
                log.warning("integration %s: could not delete webhook subscription: %s", integration.id, exc)
    _forget(integration, "disconnected", "Disconnected.")
    db.session.commit()
    log.info("integration %s disconnected", integration.id)
    return integration


def handle_app_uninstalled(shop_domain: str) -> list[int]:
    """Shopify's `app/uninstalled`: the token is already dead, so no call; the integration holding the shop
    goes to `needs_reauth` (issue 12), with the Reconnect button restarting OAuth. Rows of other workspaces
    that never proved the shop are not the shop's business."""
    rows = db.session.scalars(
        select(Integration).where(
            Integration.platform == "shopify",
            Integration.account_id == shop_domain,
            Integration.proved_at.is_not(None),
        )
    ).all()
    for integration in rows:
        _forget(integration, "needs_reauth", UNINSTALLED_MESSAGE)
        log.info("integration %s: app uninstalled from the shop", integration.id)
    db.session.commit()
    return [row.id for row in rows]


def release(integration: Integration, message: str) -> None:
    """Another workspace proved this row's account: it stops holding it, forgets its tokens (the shared
    webhook subscriptions are the new holder's now, so a later disconnect here must not delete them) and its
    card says why. No commit: the caller commits it with the new hold."""
    _forget(integration, "disconnected", message)
    integration.sync_error = None
    integration.proved_at = None


def _forget(integration: Integration, status: str, message: str) -> None:
    integration.set_secrets(access_token=None, refresh_token=None)
    integration.token_expires_at = None
    integration.refresh_token_expires_at = None
    integration.config = {**(integration.config or {}), "webhook_subscription_ids": []}
    if status == "needs_reauth":
        mark_needs_reauth(integration, message)
    else:
        integration.status = status
        integration.status_message = message
        if integration.sync_status in ("queued", "in_progress"):
            integration.sync_status = "idle"
    if integration.platform == "shopify":
        mark_products_unsynced(
            integration.workspace_id, integration.id, orphans=not other_shop_connected(integration)
        )


def other_shop_connected(integration: Integration) -> bool:
    scope = WorkspaceScope(integration.workspace_id)
    return bool(
        scope.count(
            Integration,
            Integration.platform == "shopify",
            Integration.status == "connected",
            Integration.id != integration.id,
        )
    )


def mark_products_unsynced(workspace_id: int, integration_id: int, *, orphans: bool) -> None:
    """One set-based UPDATE of the store's products: `platform_sync.shopify.synced = false`, keeping the rest
    of the JSON. Products of the workspace's other stores keep syncing; `orphans` (no other store connected)
    also marks Shopify products that record no store."""
    if db.session.get_bind().dialect.name == "postgresql":
        expr = (
            "jsonb_set(coalesce(platform_sync::jsonb, '{}'::jsonb), '{shopify}', "
            "coalesce(platform_sync::jsonb -> 'shopify', '{}'::jsonb) || '{\"synced\": false}'::jsonb)::json"
        )
    else:
        expr = "json_set(coalesce(platform_sync, '{}'), '$.shopify.synced', json('false'))"
    db.session.execute(
        text(
            f"UPDATE product SET platform_sync = {expr} WHERE workspace_id = :ws AND shopify_product_id IS NOT NULL "
            "AND (integration_id = :store OR (:orphans AND integration_id IS NULL))"
        ),
        {"ws": workspace_id, "store": integration_id, "orphans": orphans},
    )
