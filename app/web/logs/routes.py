"""Routes of the Logs pages. Each list answers its table fragment to htmx and the whole page otherwise.
Retry answers the webhook's row fragment (which polls until the delivery settles) to htmx, and redirects
otherwise. Reading and retrying live in `app.services.logs`.
"""

from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.services import log_names
from app.services import logs as service
from app.web.fragments import is_htmx, render_page_or_fragment
from app.web.logs import bp

TABS = (
    ("logs.index", "Sync runs"),
    ("logs.entries", "Sync log"),
    ("logs.webhooks", "Webhooks"),
    ("logs.compliance", "Compliance"),
)


def _render(name: str, **context):
    """`logs/<name>.html` for a page load, `logs/_<name>.html` for an htmx swap."""
    scope = current_scope()
    integrations = service.integrations(scope)
    context.update(
        tabs=TABS, integrations=integrations,
        integration_names={i.id: f"{i.platform.capitalize()} · {i.display_name or i.account_id}" for i in integrations},
    )  # fmt: skip
    return render_page_or_fragment(f"logs/{name}.html", f"logs/_{name}.html", **context)


def _page_args():
    return request.args.get("cursor"), request.args.get("per_page")


@bp.get("/")
@login_required
def index():
    f = service.LogFilters.from_args(request.args, service.STATUS_CHOICES["runs"])
    page = service.sync_runs(current_scope(), f, *_page_args())
    return _render("runs", page=page, filters=f, statuses=service.STATUS_CHOICES["runs"])


@bp.get("/entries")
@login_required
def entries():
    f = service.LogFilters.from_args(request.args, service.STATUS_CHOICES["entries"])
    page = service.sync_logs(current_scope(), f, *_page_args())
    return _render(
        "entries", page=page, filters=f, statuses=service.STATUS_CHOICES["entries"],
        names=log_names.entity_names(current_scope(), page.rows),
        entity_types=service.ENTITY_TYPES, actions=service.LOG_ACTIONS,
    )  # fmt: skip


@bp.get("/webhooks")
@login_required
def webhooks():
    f = service.LogFilters.from_args(request.args, service.STATUS_CHOICES["webhooks"])
    page = service.webhooks(current_scope(), f, *_page_args())
    return _render(
        "webhooks", page=page, filters=f, statuses=service.STATUS_CHOICES["webhooks"],
        inbox=service.inbox_health(current_scope()), describe=service.describe_wait,
    )  # fmt: skip


@bp.get("/webhooks/inbox")
@login_required
def webhook_inbox():
    inbox = service.inbox_health(current_scope())
    return render_template("logs/_inbox.html", inbox=inbox, describe=service.describe_wait)


def _webhook_or_404(webhook_id: int):
    webhook = service.get_webhook(current_scope(), webhook_id)
    if webhook is None:
        abort(404, "Webhook delivery not found.")
    return webhook


@bp.get("/webhooks/<int:webhook_id>")
@login_required
def webhook(webhook_id: int):
    row = _webhook_or_404(webhook_id)
    headers = json.dumps(row.headers or {}, indent=2, sort_keys=True)
    return render_template(
        "logs/webhook.html", w=row, payload=service.pretty_payload(row), headers=headers, tabs=TABS
    )


@bp.get("/webhooks/<int:webhook_id>/row")
@login_required
def webhook_row(webhook_id: int):
    return render_template("logs/_webhook_row.html", w=_webhook_or_404(webhook_id))


@bp.post("/webhooks/<int:webhook_id>/retry")
@login_required
def retry(webhook_id: int):
    row = _webhook_or_404(webhook_id)
    error = None
    try:
        row = service.retry(current_scope(), row)
    except service.RetryRefused as exc:
        error = exc.message
    if is_htmx():
        return render_template("logs/_webhook_row.html", w=row, error=error), 409 if error else 200
    flash(error or "Delivery queued again.", "error" if error else "success")
    return redirect(url_for("logs.webhook", webhook_id=webhook_id))


@bp.get("/compliance")
@login_required
def compliance():
    page = service.compliance_requests(current_scope(), *_page_args())
    return _render("compliance", page=page, filters=service.LogFilters())


@bp.get("/compliance/<int:request_id>/export")
@login_required
def compliance_export(request_id: int):
    row = service.compliance_export(current_scope(), request_id)
    if row is None:
        abort(404, "No export for this compliance request.")
    return Response(
        json.dumps(row.export, indent=2, sort_keys=True),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="compliance-request-{row.id}.json"'},
    )
