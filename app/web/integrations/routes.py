"""Routes of the Integrations page. Each POST answers the card fragment when htmx asks (`HX-Request`) and
the whole page otherwise (a redirect after success, the page with the failing card and a 4xx after an error),
so every form also works without JavaScript. Business rules live in `app.integrations.service`; a Shopify
connect (token or OAuth callback) is followed by its first full sync through `app.sync.service`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth_scope import current_scope
from app.integrations import service
from app.integrations.fields import check_fields
from app.models import Integration
from app.models.integrations import PLATFORMS
from app.services.locations import store_locations
from app.sync import service as sync_service
from app.sync.audit_jobs import last_audit
from app.sync.progress import card_run
from app.sync.progress import view as sync_view
from app.web.fragments import is_htmx
from app.web.integrations import bp, setup_help

PLATFORM_LABELS = {"shopify": "Shopify", "whatsapp": "WhatsApp", "facebook": "Facebook catalog"}
# Form fields per platform, in display order; secrets are never echoed back into a form.
FORM_FIELDS = {
    "shopify": ("shop_domain", "access_token"),
    "whatsapp": ("phone_number_id", "waba_id", "access_token", "app_secret", "verify_token"),
    "facebook": ("catalog_id", "page_id", "access_token", "app_secret"),
}
# The verify token is not among them: the merchant copies it into Meta's settings from this page.
SECRET_FIELDS = {"access_token", "app_secret"}


def _card(platform: str, integration: Integration | None = None, **extra) -> dict:
    return {
        "platform": platform,
        "label": PLATFORM_LABELS[platform],
        "integration": integration,
        "card_id": f"card-{platform}-{integration.id if integration else 'new'}",
        "fields": FORM_FIELDS[platform],
        "errors": extra.get("errors") or {},
        "message": extra.get("message"),
        "notice": extra.get("notice"),
        "values": _values(platform, integration, extra.get("values")),
        # A refused form comes back without the secrets typed into it: say so, as they must be typed again.
        "secrets_cleared": bool(extra.get("errors") or extra.get("message"))
        and any((extra.get("values") or {}).get(k) for k in SECRET_FIELDS),
        "help": setup_help.FIELD_HELP[platform],
        "setup": setup_help.setup_addresses(platform, integration),
        "sync": _latest_sync(integration),
        "audit": last_audit(integration) if integration is not None else None,
        "locations": store_locations(current_scope(), integration.id)
        if integration is not None and platform == "shopify"
        else [],
    }


def _values(platform: str, integration: Integration | None, given: dict | None) -> dict:
    """What the form shows again: the fields entered (never the secrets), else the saved verify token, else
    a suggested one for a new WhatsApp connection."""
    values = {k: v for k, v in (given or {}).items() if k not in SECRET_FIELDS}
    if platform == "whatsapp" and not values.get("verify_token"):
        saved = integration.secret("verify_token") if integration is not None else None
        values["verify_token"] = saved or setup_help.suggested_verify_token()
    return values


def _latest_sync(integration: Integration | None) -> dict | None:
    if integration is None or integration.platform != "shopify":
        return None
    return sync_view(card_run(integration.id))


def _cards(override: dict | None = None) -> list[dict]:
    by_platform: dict[str, list[Integration]] = {p: [] for p in PLATFORMS}
    for row in service.list_integrations(current_scope()):
        by_platform[row.platform].append(row)
    cards = []
    for platform in PLATFORMS:
        for row in by_platform[platform] or [None]:
            cards.append(_card(platform, row))
    if override is not None:
        cards = [override if c["card_id"] == override["card_id"] else c for c in cards]
        if all(c["card_id"] != override["card_id"] for c in cards):
            cards.append(override)
    return cards


def _respond(card: dict, status: int = 200):
    """The card for htmx; otherwise the page (redirect after success so a reload does not resubmit)."""
    if is_htmx():
        return render_template("integrations/_card.html", card=card), status
    if status >= 400:
        return render_template("integrations/index.html", cards=_cards(override=card)), status
    if card.get("notice"):
        flash(card["notice"], "success")
    return redirect(url_for("integrations.index"))


def _redirect_out(url: str):
    # htmx follows a redirect inside its XHR; a full-page jump to Shopify needs HX-Redirect.
    if is_htmx():
        return "", 200, {"HX-Redirect": url}
    return redirect(url)


def _integration_or_404(integration_id: int) -> Integration:
    integration = current_scope().get(Integration, integration_id)
    if integration is None:
        abort(404)
    return integration


def _form() -> dict:
    return check_fields({k: v for k, v in request.form.items() if k != "csrf_token"})


@bp.get("")
@login_required
def index():
    return render_template("integrations/index.html", cards=_cards())


@bp.post("/<platform>/connect")
@login_required
def connect_new(platform: str):
    if platform not in PLATFORMS:
        abort(404)
    return _connect(platform, None)


@bp.post("/<int:integration_id>/connect")
@login_required
def connect(integration_id: int):
    integration = _integration_or_404(integration_id)
    return _connect(integration.platform, integration)


def _connect(platform: str, integration: Integration | None):
    data = _form()
    try:
        if platform == "shopify" and not data.get("access_token", "").strip():
            shop = data.get("shop_domain")
            return _redirect_out(service.start_shopify_oauth(current_scope(), shop, integration=integration))
        integration = service.connect(current_scope(), platform, data, integration=integration)
    except service.IntegrationError as exc:
        card = _card(platform, integration, errors=exc.fields, message=exc.message, values=data)
        return _respond(card, exc.status)
    sync_service.start_first_sync(integration)  # before the card, which shows the run's progress
    return _respond(_card(platform, integration, notice=f"{PLATFORM_LABELS[platform]} connected."))


@bp.post("/<int:integration_id>/reconnect")
@login_required
def reconnect(integration_id: int):
    """Needs-reauth Shopify stores go through OAuth again; Meta cards show their form instead."""
    integration = _integration_or_404(integration_id)
    if integration.platform != "shopify":
        return _respond(_card(integration.platform, integration))
    try:
        url = service.start_shopify_oauth(current_scope(), None, integration=integration)
    except service.IntegrationError as exc:
        return _respond(_card("shopify", integration, errors=exc.fields, message=exc.message), exc.status)
    return _redirect_out(url)


@bp.post("/<int:integration_id>/disconnect")
@login_required
def disconnect(integration_id: int):
    integration = service.disconnect(_integration_or_404(integration_id))
    label = PLATFORM_LABELS[integration.platform]
    return _respond(_card(integration.platform, integration, notice=f"{label} disconnected."))


@bp.get("/shopify/callback")
@login_required
def shopify_callback():
    """Where Shopify sends the merchant back after approving the app (the OAuth redirect_uri)."""
    try:
        integration = service.complete_shopify_oauth(
            request.args.to_dict(), workspace_id=current_user.workspace_id
        )
    except service.IntegrationError as exc:
        flash(exc.message, "error")
        return redirect(url_for("integrations.index"))
    sync_service.start_first_sync(integration)
    flash(f"Shopify store {integration.display_name} connected.", "success")
    return redirect(url_for("integrations.index"))
