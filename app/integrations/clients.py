"""Platform clients for an integration, built from its settings and decrypted secrets.

The one place that turns an `Integration` row into a ShopifyClient, WhatsAppClient or MetaCatalogClient.
Shopify's expiring offline tokens are refreshed here, under a per-integration row lock, so two workers (or a
worker and a web request) never spend the same refresh token: the loser of the race re-reads the row and uses
the token the winner stored. A refused refresh marks the integration `needs_reauth` and stops retries.

Rule for callers: never hold an uncommitted write on the integration row while calling Shopify, or a refresh
would wait on your own transaction (the lock wait is bounded, but the call would fail).
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Integration
from app.models.types import utcnow
from app.platforms.errors import ShopifyAuthError, ShopifyTokenRefused
from app.platforms.meta_catalog import MetaCatalogClient
from app.platforms.oauth import ShopifyOAuth
from app.platforms.shopify.client import ShopifyClient
from app.platforms.whatsapp import WhatsAppClient

log = logging.getLogger(__name__)

REFRESH_AHEAD = timedelta(minutes=5)
REAUTH_MESSAGE = (
    "Shopify no longer accepts this store's authorization (the app was uninstalled or its access revoked). "
    "Reconnect the store to resume syncing."
)
# SQLite ignores SELECT ... FOR UPDATE; a process-wide lock stands in for it in the embedded default.
_local_locks: dict[int, threading.Lock] = {}
_local_locks_guard = threading.Lock()


class NeedsReauth(ShopifyAuthError):
    """The integration must be reconnected by the merchant; jobs stop instead of retrying."""


def _local_lock(integration_id: int) -> threading.Lock:
    with _local_locks_guard:
        return _local_locks.setdefault(integration_id, threading.Lock())


def shopify_oauth() -> ShopifyOAuth:
    cfg = current_app.config
    return ShopifyOAuth(
        cfg["SHOPIFY_API_KEY"], cfg["SHOPIFY_API_SECRET"], base_url_template=cfg["SHOPIFY_API_BASE"]
    )


def mark_needs_reauth(integration: Integration, message: str = REAUTH_MESSAGE) -> None:
    integration.status = "needs_reauth"
    integration.status_message = message
    integration.sync_error = message
    if integration.sync_status in ("queued", "in_progress"):
        integration.sync_status = "error"


class IntegrationTokenSource:
    """A `TokenSource` for ShopifyClient backed by the integration row (see module docstring)."""

    def __init__(self, integration_id: int):
        self.integration_id = integration_id

    def _session(self) -> Session:
        # Its own session: a refresh commits at once, whatever the caller's transaction holds.
        return Session(db.engine, expire_on_commit=False)

    def get(self) -> str:
        with self._session() as session:
            integration = session.get(Integration, self.integration_id)
            self._check_usable(integration)
            token = integration.secret("access_token")
            expires_at = integration.token_expires_at
            can_refresh = bool(integration.secret("refresh_token"))
        if can_refresh and expires_at is not None and expires_at - utcnow() <= REFRESH_AHEAD:
            return self._refresh(stale_token=token)
        return token

    def refresh_after_unauthorized(self, old_token: str) -> str:
        return self._refresh(stale_token=old_token, after_401=True)

    def _check_usable(self, integration: Integration | None) -> None:
        if integration is None:
            raise NeedsReauth(
                "the integration no longer exists", merchant_message="This store is no longer connected."
            )
        if integration.status in ("needs_reauth", "disconnected"):
            raise NeedsReauth(
                f"integration {integration.id} is {integration.status}",
                merchant_message=integration.status_message or REAUTH_MESSAGE,
            )
        if not integration.secret("access_token"):
            raise NeedsReauth("no access token stored", merchant_message=REAUTH_MESSAGE)

    def _refresh(self, stale_token: str, after_401: bool = False) -> str:
        # Closing the session without commit rolls back and releases the row lock.
        with _local_lock(self.integration_id), self._session() as session:
            if session.bind.dialect.name == "postgresql":
                session.execute(text("SET LOCAL lock_timeout = '15s'"))
            integration = session.scalars(
                select(Integration).where(Integration.id == self.integration_id).with_for_update()
            ).one_or_none()
            self._check_usable(integration)
            current = integration.secret("access_token")
            if current != stale_token:
                return current  # another worker refreshed while we waited for the lock
            refresh_token = integration.secret("refresh_token")
            if not refresh_token:
                # A custom-app token (shpat_...) has nothing to refresh: a 401 means it was revoked.
                if after_401:
                    mark_needs_reauth(integration)
                    session.commit()
                    raise NeedsReauth("Shopify refused the custom app token", merchant_message=REAUTH_MESSAGE)
                return current
            try:
                tokens = shopify_oauth().refresh_access_token(integration.account_id, refresh_token)
            except ShopifyTokenRefused as exc:
                mark_needs_reauth(integration)
                session.commit()
                log.warning("integration %s: refresh refused, needs reauth", self.integration_id)
                raise NeedsReauth(str(exc), merchant_message=REAUTH_MESSAGE) from exc
            # Shopify rotated both tokens: store the pair in this one transaction.
            integration.set_secrets(access_token=tokens.access_token, refresh_token=tokens.refresh_token)
            integration.token_expires_at = tokens.access_token_expires_at
            integration.refresh_token_expires_at = tokens.refresh_token_expires_at
            session.commit()
            log.info("integration %s: access token refreshed", self.integration_id)
            return tokens.access_token


def shopify_client(integration: Integration, **kwargs) -> ShopifyClient:
    cfg = current_app.config
    return ShopifyClient(
        integration.account_id,
        token_source=IntegrationTokenSource(integration.id),
        api_version=(integration.config or {}).get("api_version") or cfg["SHOPIFY_API_VERSION"],
        base_url_template=cfg["SHOPIFY_API_BASE"],
        **kwargs,
    )


def _graph_kwargs() -> dict:
    cfg = current_app.config
    return {"graph_base": cfg["META_GRAPH_BASE"], "version": cfg["META_GRAPH_VERSION"]}


def whatsapp_client(integration: Integration, **kwargs) -> WhatsAppClient:
    phone_number_id = (integration.config or {}).get("phone_number_id") or integration.account_id
    return WhatsAppClient(integration.secret("access_token"), phone_number_id, **_graph_kwargs(), **kwargs)


def meta_catalog_client(integration: Integration, **kwargs) -> MetaCatalogClient:
    return MetaCatalogClient(integration.secret("access_token"), **_graph_kwargs(), **kwargs)
