"""The drift audit on the Integrations page: "Audit now" on a Shopify card (queues `sync.audit`) and the
page listing what the last audit found. Thin: the audit itself is `app.sync.audit_jobs`."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import login_required

from app.queues import QueueUnavailable
from app.sync.audit_jobs import AuditError, last_audit, start_audit
from app.web.integrations import bp
from app.web.integrations.routes import _card, _integration_or_404, _respond


@bp.post("/<int:integration_id>/audit")
@login_required
def audit(integration_id: int):
    integration = _integration_or_404(integration_id)
    try:
        start_audit(integration)
    except AuditError as exc:
        return _respond(_card(integration.platform, integration, message=exc.message), exc.status)
    except QueueUnavailable:
        message = "The audit could not be queued right now. Please try again in a minute."
        return _respond(_card(integration.platform, integration, message=message), 503)
    notice = "Audit started: differences are listed here when it finishes, and repaired."
    return _respond(_card(integration.platform, integration, notice=notice))


@bp.get("/<int:integration_id>/audit")
@login_required
def audit_page(integration_id: int):
    integration = _integration_or_404(integration_id)
    if integration.platform != "shopify":
        abort(404)
    return render_template("integrations/audit.html", integration=integration, audit=last_audit(integration))
