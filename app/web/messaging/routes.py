"""Routes of the Messaging page. The outbox table is also a fragment (htmx polls it for statuses); saving an
automation answers its card to htmx (422 with the message when refused) and redirects otherwise."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.messaging.automations import KINDS, AutomationRefused
from app.models.messaging import OUTBOX_STATUSES
from app.services import messaging as service
from app.web.fragments import is_htmx, render_page_or_fragment
from app.web.messaging import bp


def _context(status: str | None = None, **extra) -> dict:
    scope = current_scope()
    status = status if status in OUTBOX_STATUSES else None
    rows = service.outbox(scope, status)
    return dict(
        templates=service.templates(scope), outbox=rows, counts=service.outbox_counts(scope),
        prices=service.prices(scope, rows), automations=service.automations(scope), statuses=OUTBOX_STATUSES,
        chosen=status, **extra,
    )  # fmt: skip


@bp.get("/")
@login_required
def index():
    return render_page_or_fragment(
        "messaging/index.html", "messaging/_outbox.html", **_context(request.args.get("status"))
    )


@bp.post("/automations/<kind>")
@login_required
def save_automation(kind: str):
    if kind not in KINDS:
        abort(404, "Unknown automation.")
    try:
        service.save(current_scope(), kind, request.form)
    except AutomationRefused as exc:
        if not is_htmx():
            return render_page_or_fragment(
                "messaging/index.html",
                "messaging/_outbox.html",
                exc.status,
                **_context(errors={kind: exc.message}),
            )
        return _card(kind, exc.status, error=exc.message)
    if not is_htmx():
        flash(f"{KINDS[kind][0]} saved.", "success")
        return redirect(url_for("messaging.index"))
    return _card(kind, 200, saved=True)


def _card(kind: str, status: int, **extra):
    context = _context()
    view = next(a for a in context["automations"] if a.kind == kind)
    return render_template(
        "messaging/_automation.html", a=view, templates=context["templates"], **extra
    ), status
