"""Routes of the overview page. Numbers come from `app.services.overview`; a running sync's live progress is
the sync blueprint's fragment, embedded with `hx-get` when that blueprint is registered."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.services import overview
from app.services.recovered import DEFAULT_DAYS, recovered_lately
from app.web.dashboard import bp
from app.web.fragments import is_htmx


@bp.route("/")
@login_required
def index():
    scope = current_scope()
    return render_template(
        "dashboard/index.html",
        counts=overview.counts(scope),
        integrations=overview.integrations_with_runs(scope),
        alerts=overview.open_alerts(scope),
        chart=overview.activity_chart(scope),
        recovered=recovered_lately(scope.workspace_id),
        recovered_days=DEFAULT_DAYS,
        live_progress="sync.run_progress" in current_app.view_functions,
    )


@bp.post("/alerts/<int:alert_id>/dismiss")
@login_required
def dismiss_alert(alert_id: int):
    if not overview.dismiss_alert(current_scope(), alert_id):
        abort(404, "Alert not found.")
    if is_htmx():
        return ""  # htmx swaps the alert's outerHTML with nothing: it disappears
    flash("Alert dismissed.", "success")
    return redirect(url_for("dashboard.index"))
