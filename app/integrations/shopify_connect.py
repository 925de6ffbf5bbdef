"""Connecting a Shopify store: OAuth (expiring offline tokens) or a pasted custom-app token.

Both ways end in `_connect_shop`: prove the token with `shop { name }`, read the shop's first location (where
inventory write-backs go: `config["location_id"]`), register the webhook subscriptions the app needs at
`APP_URL/api/webhooks/shopify` (reusing ones that already point there), and only then store the token, the
subscription ids and `status = connected` in one commit. Any failure before that commit stores nothing and
removes the subscriptions this attempt created. The first full sync is the caller's to start
(`app.sync.service.start_first_sync`): this package never imports sync. A store another
workspace holds and uses is refused before any call to Shopify (`integration_hold`); a proof moves one it
holds but no longer uses.
Callers go through `app.integrations.service`, which re-exports the public functions. Never logs a token.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.integrations.base import (
    ConnectFailed,
    IntegrationConflict,
    IntegrationError,
    clean,
    find_by_account,
    record_failure,
    require,
    shop_domain_or_error,
    status_for,
)
from app.integrations.clients import shopify_oauth
from app.integrations.hold import claim, commit_claim, refuse_if_held_elsewhere
from app.models import Integration, OAuthState
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.platforms.errors import PlatformError, ShopifyOAuthError
from app.platforms.oauth import build_authorize_url, new_state, validate_callback
from app.platforms.shopify.client import ShopifyClient

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/webhooks/shopify"
CALLBACK_PATH = "/integrations/shopify/callback"
# Compliance topics (customers/data_request, customers/redact, shop/redact) are set in the app's settings,
# not through the API, so they are not here.
WEBHOOK_TOPICS = (
    "PRODUCTS_CREATE",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "ORDERS_PAID",  # the WhatsApp order confirmation of an order paid after it was created
    "CHECKOUTS_CREATE",  # the WhatsApp abandoned-checkout reminder
    "CHECKOUTS_UPDATE",
    "FULFILLMENTS_CREATE",
    "FULFILLMENTS_UPDATE",
    "REFUNDS_CREATE",
    "INVENTORY_LEVELS_UPDATE",
    "COLLECTIONS_CREATE",
    "COLLECTIONS_UPDATE",
    "COLLECTIONS_DELETE",
    "LOCATIONS_CREATE",
    "LOCATIONS_UPDATE",
    "LOCATIONS_DELETE",
    "APP_UNINSTALLED",
    "BULK_OPERATIONS_FINISH",
)
STATE_TTL = timedelta(minutes=10)


def webhook_uri() -> str:
    return current_app.config["APP_URL"].rstrip("/") + WEBHOOK_PATH


def start_shopify_oauth(
    scope: WorkspaceScope, shop_domain: str | None, *, integration: Integration | None = None
) -> str:
    """Store a one-time `state` for this workspace and shop; return the shop's authorize URL."""
    cfg = current_app.config
    if not cfg.get("SHOPIFY_API_KEY") or not cfg.get("SHOPIFY_API_SECRET"):
        raise IntegrationError(
            "Installing through Shopify is not set up on this server. Paste a custom app token instead.",
            fields={"access_token": "Paste the Admin API access token of your custom app."},
        )
    shop = integration.account_id if integration is not None else shop_domain_or_error(shop_domain)
    existing = integration or find_by_account(scope, "shopify", shop)
    if integration is None and existing is not None and existing.status == "connected":
        raise IntegrationConflict(
            "This store is already connected.", fields={"shop_domain": "Already connected."}
        )
    refuse_if_held_elsewhere(scope, "shopify", shop)
    url, state = build_authorize_url(
        shop,
        cfg["SHOPIFY_API_KEY"],
        cfg["SHOPIFY_SCOPES"],
        cfg["APP_URL"].rstrip("/") + CALLBACK_PATH,
        state=new_state(),
        base_url_template=cfg["SHOPIFY_API_BASE"],
    )
    scope.add(OAuthState(state=state, shop_domain=shop))
    db.session.commit()
    log.info("workspace %s: Shopify OAuth started for %s", scope.workspace_id, shop)
    return url


def complete_shopify_oauth(params: Mapping[str, str], *, workspace_id: int | None = None) -> Integration:
    """Validate the callback (shop, hmac, state, timestamp), spend the state, exchange the code with
    `expiring: 1`, then connect. Raises ConnectFailed (status 400 for a bad callback)."""
    params = dict(params)
    row = _unused_state(params.get("state"))
    try:
        shop = validate_callback(
            params,
            client_secret=current_app.config["SHOPIFY_API_SECRET"],
            expected_state=row.state if row is not None else None,
        )
        if shop != row.shop_domain or (workspace_id is not None and row.workspace_id != workspace_id):
            raise ShopifyOAuthError("OAuth callback shop or workspace differs from the one that started it")
    except ShopifyOAuthError as exc:
        log.warning("Shopify OAuth callback rejected: %s", exc)
        # One sentence for every refusal: the merchant can only start again, whatever was wrong.
        raise ConnectFailed(ShopifyOAuthError.default_merchant_message, status=400) from exc
    row.used_at = utcnow()  # one use only, whatever happens next
    db.session.commit()
    scope = WorkspaceScope(row.workspace_id)
    integration = find_by_account(scope, "shopify", shop)
    # Before the exchange: a refused attempt leaves the holder's tokens untouched.
    refuse_if_held_elsewhere(scope, "shopify", shop)
    try:
        tokens = shopify_oauth().exchange_code(shop, params["code"])
    except PlatformError as exc:
        log.warning("Shopify OAuth code exchange failed for %s: %s", shop, exc)
        record_failure(integration, exc)
        raise ConnectFailed(exc.merchant_message, status=status_for(exc)) from exc
    secrets = {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token}
    expiries = (tokens.access_token_expires_at, tokens.refresh_token_expires_at)
    return _connect_shop(scope, integration, shop, secrets, expiries, "oauth")


def connect_shopify_with_token(
    scope: WorkspaceScope, data: dict, integration: Integration | None = None
) -> Integration:
    """A custom app's Admin API token (`shpat_...`): it never expires and has no refresh token."""
    shop = (
        integration.account_id if integration is not None else shop_domain_or_error(data.get("shop_domain"))
    )
    require(data, ("access_token",))
    if integration is None:
        integration = find_by_account(scope, "shopify", shop)
        if integration is not None and integration.status == "connected":
            raise IntegrationConflict(
                "This store is already connected.", fields={"shop_domain": "Already connected."}
            )
    refuse_if_held_elsewhere(scope, "shopify", shop)
    secrets = {"access_token": clean(data["access_token"]), "refresh_token": None}
    return _connect_shop(scope, integration, shop, secrets, (None, None), "custom_app")


def _unused_state(value: str | None) -> OAuthState | None:
    if not value:
        return None
    return db.session.scalars(
        select(OAuthState).where(
            OAuthState.state == value,
            OAuthState.used_at.is_(None),
            OAuthState.created_at >= utcnow() - STATE_TTL,
        )
    ).first()


def _connect_shop(
    scope: WorkspaceScope,
    integration: Integration | None,
    shop: str,
    secrets: dict,
    expiries: tuple[datetime | None, datetime | None],
    auth_method: str,
) -> Integration:
    cfg = current_app.config
    api_version = (integration.config or {}).get("api_version") if integration is not None else None
    # A plain token, not the DB-backed source: nothing is stored until the token has proved itself.
    client = ShopifyClient(
        shop,
        secrets["access_token"],
        api_version=api_version or cfg["SHOPIFY_API_VERSION"],
        base_url_template=cfg["SHOPIFY_API_BASE"],
    )
    try:
        shop_info = client.get_shop()
        location_id = _first_location(client, shop)
        subscription_ids = _register_webhooks(client)
    except PlatformError as exc:
        log.warning("Shopify connect for %s failed: %s", shop, exc)
        record_failure(integration, exc)
        raise ConnectFailed(exc.merchant_message, status=status_for(exc)) from exc
    if integration is None:
        integration = scope.add(Integration(platform="shopify", account_id=shop, config={}))
    integration.display_name = shop_info.get("name") or integration.display_name or shop
    integration.config = {
        **(integration.config or {}),
        "shop_domain": shop,
        "auth_method": auth_method,
        "currency": shop_info.get("currencyCode"),
        "webhook_subscription_ids": subscription_ids,
    }
    if location_id:
        integration.config = {**integration.config, "location_id": location_id}
    integration.set_secrets(**secrets)
    integration.token_expires_at, integration.refresh_token_expires_at = expiries
    integration.status = "connected"
    integration.status_message = None
    integration.sync_error = None
    claim(scope, integration)  # the shop query answered: this is the proof
    commit_claim(scope, integration)
    log.info("integration %s: Shopify store %s connected (%s)", integration.id, shop, auth_method)
    return integration


def _first_location(client: ShopifyClient, shop: str) -> str | None:
    """The location write-backs target. Not worth refusing the connect over: without it, the first
    inventory_levels/update webhook names the location (`app.inventory.levels._remember_location`)."""
    try:
        return client.get_first_location_id()
    except PlatformError as exc:
        log.warning("Shopify connect for %s: could not read its locations: %s", shop, exc)
        return None


def _register_webhooks(client: ShopifyClient) -> list[str]:
    """Subscribe every topic at our URI, reusing subscriptions already there (a reconnect or reinstall).
    If one fails, the ones created by this call are deleted again before the error goes up."""
    uri = webhook_uri()
    existing = {w["topic"]: w["id"] for w in client.list_webhooks() if w.get("uri") == uri}
    created: list[str] = []
    try:
        for topic in WEBHOOK_TOPICS:
            if topic not in existing:
                created.append(client.create_webhook(topic, uri)["id"])
                existing[topic] = created[-1]
    except PlatformError:
        for subscription_id in created:
            try:
                client.delete_webhook(subscription_id)
            except PlatformError as exc:
                log.warning("could not remove webhook subscription after a failed connect: %s", exc)
        raise
    return [existing[topic] for topic in WEBHOOK_TOPICS]
