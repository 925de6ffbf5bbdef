"""Shared pieces of the integration services: their errors, input checks and lookups.

Kept apart so `integrations` and `shopify_connect` can both use them without importing each other.
Holds no workflow and calls no platform.
"""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.models import Integration
from app.models.scoping import WorkspaceScope
from app.platforms.errors import PlatformError, PlatformUnavailable, ShopifyOAuthError
from app.platforms.oauth import normalize_shop_domain
from app.problems import AppError

# The secrets each platform keeps; the API shows `<name>_set: true/false` for each, never the value.
SECRET_NAMES = {
    "shopify": ("access_token", "refresh_token"),
    "whatsapp": ("access_token", "app_secret", "verify_token"),
    "facebook": ("access_token", "app_secret"),
}
# The setting that names the platform account (stored as `Integration.account_id`).
ACCOUNT_KEYS = {"shopify": "shop_domain", "whatsapp": "phone_number_id", "facebook": "page_id"}
FIELD_LABELS = {
    "shop_domain": "Store address",
    "access_token": "Access token",
    "phone_number_id": "Phone number ID",
    "waba_id": "WhatsApp Business Account ID",
    "app_secret": "App secret",
    "verify_token": "Webhook verify token",
    "catalog_id": "Catalog ID",
    "page_id": "Page ID",
}


class IntegrationError(AppError, ValueError):
    """Bad input; `message` and `fields` (field -> sentence) are shown to the person as they are."""

    status = 422

    def __init__(self, message: str, *, fields: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if status is not None:
            self.status = status


class IntegrationConflict(IntegrationError):
    status = 409


class ConnectFailed(IntegrationError):
    """The platform refused the credentials (or did not answer); `message` is its merchant sentence."""


def clean(value) -> str:
    """Trimmed text; numbers (JSON ids such as a phone number id) become text, anything else ''."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def require(values: dict, names: tuple[str, ...]) -> None:
    missing = {n: f"{FIELD_LABELS.get(n, n)} is required." for n in names if not clean(values.get(n))}
    if missing:
        raise IntegrationError("Some required fields are missing.", fields=missing)


def shop_domain_or_error(value) -> str:
    try:
        return normalize_shop_domain(value)
    except ShopifyOAuthError as exc:
        raise IntegrationError(exc.merchant_message, fields={"shop_domain": exc.merchant_message}) from exc


def account_key_for(platform: str, data: dict) -> tuple[str, str]:
    """(field name, validated account id) for a platform's account key."""
    field = ACCOUNT_KEYS[platform]
    if platform == "shopify":
        return field, shop_domain_or_error(data.get(field))
    require(data, (field,))
    value = clean(data[field])
    if not value.isdigit():
        raise IntegrationError(
            "Check the highlighted field.", fields={field: "Use the numeric ID Meta shows."}
        )
    return field, value


def find_by_account(scope: WorkspaceScope, platform: str, account_id: str) -> Integration | None:
    return db.session.scalars(
        scope.select(Integration, Integration.platform == platform, Integration.account_id == account_id)
    ).first()


def graph_kwargs() -> dict:
    cfg = current_app.config
    return {"graph_base": cfg["META_GRAPH_BASE"], "version": cfg["META_GRAPH_VERSION"]}


def record_failure(integration: Integration | None, exc: PlatformError) -> None:
    """A failed connect test: a never-connected row shows the platform's sentence; a connected or
    reauth-pending row keeps its state (its old credentials are untouched)."""
    if integration is not None and integration.status in ("disconnected", "pending", "error"):
        integration.status = "error"
        integration.status_message = exc.merchant_message
        db.session.commit()


def status_for(exc: PlatformError) -> int:
    return 503 if isinstance(exc, PlatformUnavailable) else 422
