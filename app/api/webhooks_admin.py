"""API routes around the webhook inbox and compliance requests (bearer auth, on the `api` blueprint).

`POST /api/webhooks/<id>/retry` puts a failed delivery back in the queue; `GET /api/compliance/<id>/export`
downloads a customers/data_request export. Both read through the workspace scope, so another workspace's id is
a 404. The signed intake endpoints live on the `webhooks` blueprint (app/webhooks/routes.py), not here.
"""

from __future__ import annotations

import json

from flask import Response, jsonify

from app.api import api_error, bp
from app.auth_scope import current_scope
from app.models import ComplianceRequest, Webhook
from app.webhooks.jobs import retry_webhook


@bp.post("/webhooks/<int:webhook_id>/retry")
def retry_webhook_delivery(webhook_id: int):
    webhook = current_scope().get(Webhook, webhook_id)
    if webhook is None:
        return api_error("Webhook delivery not found.", 404)
    if not retry_webhook(webhook):
        return api_error(f"Only failed deliveries can be retried; this one is {webhook.status}.", 409)
    return jsonify({"id": webhook.id, "status": "pending"}), 202


@bp.get("/compliance/<int:request_id>/export")
def compliance_export(request_id: int):
    request_row = current_scope().get(ComplianceRequest, request_id)
    if request_row is None or request_row.export is None:
        return api_error("No export for this compliance request.", 404)
    body = json.dumps(request_row.export, indent=2, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="compliance-request-{request_row.id}.json"'},
    )
