"""The Message rates tab: the WhatsApp rate card the overview prices messages with, Meta's published rates
unless the workspace changed them. Saving is all-or-nothing: an invalid rate re-renders the card with the
reasons (422) and changes nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.messaging import pricing
from app.models.messaging import CATEGORIES
from app.web.settings import bp


def _plain(value) -> str:
    return f"{value.normalize():f}"


def _page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    ws = current_user.workspace_id
    return render_template(
        "settings/rates.html", card={m: {c: _plain(v) for c, v in rates.items()} for m, rates in pricing.rate_card(ws).items()},
        defaults={m.name: {c: _plain(v) for c, v in m.rates.items()} for m in pricing.default_card()},
        markets=pricing.default_card(), edited=pricing.edited(ws), categories=CATEGORIES,
        currency=pricing.CARD_CURRENCY, errors=errors or {}, values=values or {},
    ), status  # fmt: skip


@bp.get("/rates")
@login_required
def rates():
    return _page()


@bp.post("/rates")
@login_required
def save_rates():
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        changed = pricing.save_rates(current_user.workspace_id, values)
    except pricing.RateRefused as exc:
        return _page(exc.status, errors=exc.fields, values=values)
    flash(f"Message rates saved ({changed} differ from Meta's).", "success")
    return redirect(url_for("settings.rates"))


@bp.post("/rates/reset")
@login_required
def reset_rates():
    pricing.reset_rates(current_user.workspace_id)
    flash("Message rates reset to Meta's published rates.", "success")
    return redirect(url_for("settings.rates"))
