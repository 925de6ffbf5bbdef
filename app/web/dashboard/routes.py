"""Routes of the overview page. Sales, message cost and the setup checklist come first, operations (counts,
integrations, alerts, activity) below. Numbers come from `app.services` (`sales_overview`, `setup_checklist`,
`overview`); a running sync's live progress is the sync blueprint's fragment, embedded with `hx-get` when that
blueprint is registered. An htmx request for the page (the date range switch) gets the sales section only."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.services import overview, periods, workspace_settings
from app.services.recovered import DEFAULT_DAYS, recovered_lately
from app.services.sales_overview import sales_overview
from app.services.setup_checklist import checklist
from app.web.dashboard import bp
from app.web.fragments import is_htmx


def _sales_context(scope) -> tuple[dict, int]:
    tz = workspace_settings.get_workspace(scope.workspace_id).timezone or "UTC"
    error, status = None, 200
    try:
        period = periods.period_from(request.args, tz)
    except periods.PeriodRefused as exc:
        error, status = exc.message, exc.status
        period = periods.period_from({}, tz)
    return {"sales": sales_overview(scope, period), "range_error": error, "presets": periods.PRESETS,
            "tz": tz, "max_days": periods.MAX_DAYS, "args": request.args}, status  # fmt: skip


@bp.route("/")
@login_required
def index():
    scope = current_scope()
    context, status = _sales_context(scope)
    if is_htmx():
        return render_template("dashboard/_sales.html", **context), status
    return render_template(
        "dashboard/index.html",
        checklist=checklist(scope, bool(current_app.config.get("OPENAI_API_KEY"))),
        counts=overview.counts(scope),
        integrations=overview.integrations_with_runs(scope),
        alerts=overview.open_alerts(scope),
        chart=overview.activity_chart(scope),
        recovered=recovered_lately(scope.workspace_id),
        recovered_days=DEFAULT_DAYS,
        live_progress="sync.run_progress" in current_app.view_functions,
        **context,
    ), status


@bp.post("/alerts/<int:alert_id>/dismiss")
@login_required
def dismiss_alert(alert_id: int):
    if not overview.dismiss_alert(current_scope(), alert_id):
        abort(404, "Alert not found.")
    if is_htmx():
        return ""  # htmx swaps the alert's outerHTML with nothing: it disappears
    flash("Alert dismissed.", "success")
    return redirect(url_for("dashboard.index"))
