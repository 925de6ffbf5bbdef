"""The "Sell from" block of a Shopify card: the store's locations with a checkbox each. Thin: the choice and
its effect on stock are `app.services.locations`. htmx gets the block back; without JavaScript the form
posts and returns to the Integrations page (or its own page, `GET`, which also works without the card)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.params import BadParameter
from app.services import locations as service
from app.web.fragments import is_htmx, render_page_or_fragment
from app.web.integrations import bp
from app.web.integrations.routes import _integration_or_404


def _shopify_or_404(integration_id: int):
    integration = _integration_or_404(integration_id)
    if integration.platform != "shopify":
        abort(404)
    return integration


def _block(integration, status: int = 200, **extra):
    rows = service.store_locations(current_scope(), integration.id)
    context = {"integration": integration, "locations": rows, "error": None, "notice": None, **extra}
    return render_page_or_fragment(
        "integrations/locations.html", "integrations/_locations.html", status, **context
    )


@bp.get("/<int:integration_id>/locations")
@login_required
def locations(integration_id: int):
    return _block(_shopify_or_404(integration_id))


@bp.post("/<int:integration_id>/locations")
@login_required
def choose_locations(integration_id: int):
    integration = _shopify_or_404(integration_id)
    try:
        changed = service.apply_checked(current_scope(), integration, request.form.getlist("sell_from"))
    except BadParameter as exc:  # the block (or its page) again, with the message
        return _block(integration, 400, error=exc.message)
    notice = f"Saved: {changed} location{'' if changed == 1 else 's'} changed." if changed else "No change."
    if not is_htmx():
        flash(notice, "success")
        return redirect(url_for("integrations.index"))
    return _block(integration, notice=notice)
