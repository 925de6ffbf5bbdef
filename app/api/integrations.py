"""JSON API for integrations: list, create, read, update, delete, connect, disconnect, sync.

Thin: parse JSON, call `app.integrations.service`, answer `serialize(...)`, which carries `<secret>_set` flags
and never a secret. A Shopify connect is followed by its first full sync (`app.sync.service.start_first_sync`);
the sync route answers through `app.api.sync.start`, the one sync door of the API. Another workspace's integration answers 404 (through the workspace scope).
"""

from __future__ import annotations

from flask import abort, jsonify, request

from app.api import bp, json_body
from app.api import sync as sync_api
from app.auth_scope import current_scope
from app.integrations import service
from app.integrations.fields import check_fields
from app.models import Integration
from app.sync.service import start_first_sync


def _integration_or_404(integration_id: int) -> Integration:
    integration = current_scope().get(Integration, integration_id)
    if integration is None:
        abort(404, description="No such integration.")
    return integration


@bp.get("/integrations")
def list_integrations():
    rows = service.list_integrations(current_scope())
    return jsonify({"integrations": [service.serialize(row) for row in rows]})


@bp.post("/integrations")
def create_integration():
    integration = service.create_integration(current_scope(), check_fields(json_body()))
    start_first_sync(integration)  # a Shopify token connects at once (a Meta or token-less row: nothing)
    return jsonify({"integration": service.serialize(integration)}), 201


@bp.get("/integrations/<int:integration_id>")
def get_integration(integration_id: int):
    return jsonify({"integration": service.serialize(_integration_or_404(integration_id))})


@bp.patch("/integrations/<int:integration_id>")
def update_integration(integration_id: int):
    integration = _integration_or_404(integration_id)
    service.update_integration(integration, check_fields(json_body()))
    return jsonify({"integration": service.serialize(integration)})


@bp.delete("/integrations/<int:integration_id>")
def delete_integration(integration_id: int):
    service.delete_integration(_integration_or_404(integration_id))
    return "", 204


@bp.post("/integrations/<int:integration_id>/connect")
def connect_integration(integration_id: int):
    """Meta: the credentials. Shopify: `access_token` (custom app), or no token for the OAuth URL to open."""
    integration = _integration_or_404(integration_id)
    data = check_fields(json_body()) if request.get_data() else {}
    if integration.platform == "shopify" and not data.get("access_token"):
        url = service.start_shopify_oauth(current_scope(), None, integration=integration)
        return jsonify({"authorize_url": url, "integration": service.serialize(integration)}), 202
    integration = service.connect(current_scope(), integration.platform, data, integration=integration)
    start_first_sync(integration)
    return jsonify({"integration": service.serialize(integration)})


@bp.post("/integrations/<int:integration_id>/disconnect")
def disconnect_integration(integration_id: int):
    integration = service.disconnect(_integration_or_404(integration_id))
    return jsonify({"integration": service.serialize(integration)})


@bp.post("/integrations/<int:integration_id>/sync")
def sync_integration(integration_id: int):
    """Start a sync of this integration: the same door, default kind and refusal as `POST /api/sync`."""
    integration = _integration_or_404(integration_id)
    data = json_body() if request.get_data() else {}
    return sync_api.start(
        integration, data, describe=lambda run: {"integration": service.serialize(integration)}
    )
