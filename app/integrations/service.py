"""Connecting and disconnecting Shopify, WhatsApp and Facebook for a workspace.

Create, update, connect (custom-app token or OAuth for Shopify, credentials for Meta), disconnect, delete, and
`handle_app_uninstalled` for Shopify's webhook. A connect tests the credentials with one real call before anything
is stored, so a failure leaves no token behind and never a `connected` row. Secrets are write-only: `serialize`
says which are set, never what they are, and nothing here logs them. The Shopify OAuth and webhook parts live in
`app.integrations.shopify_connect`; this module re-exports them so callers have one door. Which one workspace holds
an account (and so receives its webhooks) is decided in `app.integrations.hold`.
This module never reads the request: routes hand it plain dicts.
"""

from __future__ import annotations

import logging

from app.extensions import db
from app.integrations.base import (
    SECRET_NAMES,
    ConnectFailed,
    IntegrationConflict,
    IntegrationError,
    account_key_for,
    clean,
    find_by_account,
    graph_kwargs,
    record_failure,
    require,
    status_for,
)
from app.integrations.hold import claim, commit_claim, refuse_if_held_elsewhere
from app.models import Integration
from app.models.integrations import PLATFORMS
from app.models.scoping import WorkspaceScope
from app.platforms.errors import PlatformError
from app.platforms.meta_catalog import MetaCatalogClient
from app.platforms.whatsapp import WhatsAppClient
from app.queues import QueueUnavailable, enqueue

log = logging.getLogger(__name__)

# Settings a PATCH may change; the account key and access tokens change only through connect.
EDITABLE_SETTINGS = {
    "shopify": ("api_version",),
    "whatsapp": ("waba_id",),
    "facebook": ("catalog_id",),
}
EDITABLE_SECRETS = {"shopify": (), "whatsapp": ("app_secret", "verify_token"), "facebook": ("app_secret",)}

__all__ = [
    "ConnectFailed",
    "IntegrationConflict",
    "IntegrationError",
    "complete_shopify_oauth",
    "connect",
    "connect_facebook",
    "connect_shopify_with_token",
    "connect_whatsapp",
    "create_integration",
    "delete_integration",
    "disconnect",
    "handle_app_uninstalled",
    "list_integrations",
    "serialize",
    "start_shopify_oauth",
    "update_integration",
]


def serialize(integration: Integration) -> dict:
    """The public view of an integration: settings and `<secret>_set` flags, never a secret."""
    flags = {f"{name}_set": bool(integration.secret(name)) for name in SECRET_NAMES[integration.platform]}

    def iso(value):
        return value.isoformat() if value else None

    return {
        "id": integration.id,
        "platform": integration.platform,
        "account_id": integration.account_id,
        "display_name": integration.display_name,
        "status": integration.status,
        "status_message": integration.status_message,
        "config": dict(integration.config or {}),
        **flags,
        # Set while this integration holds its account: only then do its webhooks arrive here.
        "proved_at": iso(integration.proved_at),
        "token_expires_at": iso(integration.token_expires_at),
        "refresh_token_expires_at": iso(integration.refresh_token_expires_at),
        "last_sync_at": iso(integration.last_sync_at),
        "sync_status": integration.sync_status,
        "sync_error": integration.sync_error,
        "created_at": iso(integration.created_at),
        "updated_at": iso(integration.updated_at),
    }


def list_integrations(scope: WorkspaceScope) -> list[Integration]:
    return list(db.session.scalars(scope.select(Integration).order_by(Integration.platform, Integration.id)))


def create_integration(scope: WorkspaceScope, data: dict) -> Integration:
    """A disconnected integration from its account settings; with an `access_token` it connects at once
    (and on failure nothing is created)."""
    platform = clean(data.get("platform"))
    if platform not in PLATFORMS:
        raise IntegrationError(
            "Choose a platform.", fields={"platform": f"Must be one of: {', '.join(PLATFORMS)}."}
        )
    if clean(data.get("access_token")):
        return connect(scope, platform, data)
    key_field, account_id = account_key_for(platform, data)
    if find_by_account(scope, platform, account_id) is not None:
        raise IntegrationConflict(
            f"This {platform} account is already added to your workspace.",
            fields={key_field: "Already added."},
        )
    config = {key_field: account_id}
    for name in EDITABLE_SETTINGS[platform]:
        if clean(data.get(name)):
            config[name] = clean(data[name])
    integration = scope.add(
        Integration(
            platform=platform,
            account_id=account_id,
            display_name=clean(data.get("display_name")) or None,
            status="disconnected",
            config=config,
        )
    )
    db.session.commit()
    log.info("integration %s created (%s)", integration.id, platform)
    return integration


def update_integration(integration: Integration, data: dict) -> Integration:
    fields = {}
    for name in ("platform", "account_id", "shop_domain", "phone_number_id", "page_id", "access_token"):
        if name in data:
            fields[name] = "Cannot be changed here: connect again to change the account or its token."
    unknown = set(data) - set(fields) - {"display_name"} - set(EDITABLE_SETTINGS[integration.platform])
    unknown -= set(EDITABLE_SECRETS[integration.platform])
    fields.update({name: "Unknown setting." for name in unknown})
    if fields:
        raise IntegrationError("Some settings cannot be changed.", fields=fields)
    if "display_name" in data:
        integration.display_name = clean(data["display_name"]) or None
    config = dict(integration.config or {})
    for name in EDITABLE_SETTINGS[integration.platform]:
        if name in data:
            config[name] = clean(data[name]) or None
    integration.config = config
    secrets = {n: clean(data[n]) or None for n in EDITABLE_SECRETS[integration.platform] if n in data}
    if secrets:
        integration.set_secrets(**secrets)
    db.session.commit()
    return integration


def connect(scope: WorkspaceScope, platform: str, data: dict, integration: Integration | None = None):
    """Connect with pasted credentials; Shopify without a token has no credentials to paste (use OAuth)."""
    if platform == "shopify":
        return connect_shopify_with_token(scope, data, integration=integration)
    if platform == "whatsapp":
        return connect_whatsapp(scope, data, integration=integration)
    if platform == "facebook":
        return connect_facebook(scope, data, integration=integration)
    raise IntegrationError("Choose a platform.", fields={"platform": "Unknown platform."})


def connect_whatsapp(
    scope: WorkspaceScope, data: dict, integration: Integration | None = None
) -> Integration:
    """Check the token can read the phone number (`get_phone_number`), then store it and go `connected`."""
    values = _merged(integration, data, ("phone_number_id", "waba_id"))
    require(values, ("access_token", "phone_number_id", "waba_id", "app_secret", "verify_token"))
    account_key_for("whatsapp", values)
    refuse_if_held_elsewhere(scope, "whatsapp", values["phone_number_id"])
    phone = _try_platform(
        integration,
        lambda: WhatsAppClient(
            values["access_token"], values["phone_number_id"], **graph_kwargs()
        ).get_phone_number(),
    )
    name = phone.get("verified_name") or phone.get("display_phone_number")
    config = {"phone_number_id": values["phone_number_id"], "waba_id": values["waba_id"]}
    if phone.get("display_phone_number"):
        config["display_phone_number"] = phone["display_phone_number"]
    secrets = {k: values[k] for k in ("access_token", "app_secret", "verify_token")}
    saved = _save_connected(scope, integration, "whatsapp", values["phone_number_id"], name, config, secrets)
    try:  # the Messaging page lists the account's templates from the first minute; the hourly sync retries
        enqueue("messaging.sync_templates", saved.id, job_id=f"templates-{saved.id}")
    except QueueUnavailable:
        log.warning("integration %s: template sync not queued, Redis unavailable", saved.id)
    return saved


def connect_facebook(
    scope: WorkspaceScope, data: dict, integration: Integration | None = None
) -> Integration:
    """Check the token can see the catalog (`get_catalog`), then store it and go `connected`."""
    values = _merged(integration, data, ("catalog_id", "page_id"))
    require(values, ("access_token", "catalog_id", "page_id", "app_secret"))
    account_key_for("facebook", values)
    refuse_if_held_elsewhere(scope, "facebook", values["page_id"])
    catalog = _try_platform(
        integration,
        lambda: MetaCatalogClient(values["access_token"], **graph_kwargs()).get_catalog(values["catalog_id"]),
    )
    config = {"catalog_id": values["catalog_id"], "page_id": values["page_id"]}
    secrets = {k: values[k] for k in ("access_token", "app_secret")}
    return _save_connected(
        scope, integration, "facebook", values["page_id"], catalog.get("name"), config, secrets
    )


def _merged(integration: Integration | None, data: dict, settings: tuple[str, ...]) -> dict:
    """Form/JSON values over the stored settings and secrets, so a reconnect only needs what changed."""
    stored: dict = {}
    if integration is not None:
        stored.update(integration.config or {})
        stored.update({k: v for k, v in (integration.secrets or {}).items() if k != "access_token"})
    values = {k: clean(v) for k, v in stored.items() if isinstance(v, str)}
    values.update({k: clean(v) for k, v in data.items() if clean(v)})
    if integration is not None:
        key = "page_id" if integration.platform == "facebook" else "phone_number_id"
        if key in settings and values.get(key) != integration.account_id:
            raise IntegrationError(
                "This integration belongs to another account.",
                fields={key: "Add a new integration for another account."},
            )
    return values


def _try_platform(integration: Integration | None, call):
    """Run the one test call; on failure record the platform's sentence (no token) and raise ConnectFailed."""
    try:
        return call()
    except PlatformError as exc:
        log.info("connect test failed for integration %s: %s", getattr(integration, "id", None), exc)
        record_failure(integration, exc)
        raise ConnectFailed(exc.merchant_message, status=status_for(exc)) from exc


def _save_connected(scope, integration, platform, account_id, name, config, secrets) -> Integration:
    existing = find_by_account(scope, platform, account_id)
    if existing is not None and (integration is None or existing.id != integration.id):
        if integration is None and existing.status != "connected":
            integration = existing  # connecting a known but disconnected account again
        else:
            raise IntegrationConflict(f"This {platform} account is already connected in your workspace.")
    if integration is None:
        integration = scope.add(Integration(platform=platform, account_id=account_id, config={}))
    integration.account_id = account_id
    integration.display_name = name or integration.display_name
    integration.config = {**(integration.config or {}), **config}
    integration.set_secrets(**secrets)
    integration.status = "connected"
    integration.status_message = None
    claim(scope, integration)  # the platform answered with these credentials: this is the proof
    commit_claim(scope, integration)
    log.info("integration %s connected (%s)", integration.id, platform)
    return integration


def delete_integration(integration: Integration) -> None:
    if integration.status == "connected":
        disconnect(integration)
    elif integration.platform == "shopify":
        orphans = not other_shop_connected(integration)
        mark_products_unsynced(integration.workspace_id, integration.id, orphans=orphans)
    db.session.delete(integration)
    db.session.commit()


from app.integrations.disconnect import (  # noqa: E402
    disconnect,
    handle_app_uninstalled,
    mark_products_unsynced,
    other_shop_connected,
)
from app.integrations.shopify_connect import (  # noqa: E402
    complete_shopify_oauth,
    connect_shopify_with_token,
    start_shopify_oauth,
)
