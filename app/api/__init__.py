"""The JSON API under /api: bearer tokens, JSON in and out, errors as {"error": "..."}.

Each area adds its routes in a module of its own; webhooks have their own blueprint (signature auth). A
service's `AppError` is left to `app.errors`, which answers it with its status and fields; a route returns
`api_error(...)` itself only for what it decides (unknown fields, not found). Imports nothing from `app.web`.
"""

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import UnsupportedMediaType

from app.api.scopes import required_scope
from app.json_errors import json_error
from app.params import BadParameter, check_json
from app.services import accounts

bp = Blueprint("api", __name__, url_prefix="/api")


def public(view):
    """Mark a view as readable without a token (only what describes the API, never workspace data)."""
    view.public = True
    return view


def is_public(endpoint: str | None) -> bool:
    return bool(getattr(current_app.view_functions.get(endpoint or ""), "public", False))


@bp.before_request
def require_token():
    if is_public(request.endpoint):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, plain = header.partition(" ")
    if scheme.lower() != "bearer" or not plain.strip():
        return api_error("Missing API token: send 'Authorization: Bearer <token>'.", 401)
    token = accounts.token_for(plain.strip())
    if token is None:
        return api_error("Invalid or revoked API token.", 401)
    needed = required_scope(request.endpoint, request.method, request.path)
    if needed and not token.allows(needed):
        message = f"This token lacks the '{needed}' scope this route needs; make a token with it in Settings."
        return api_error(message, 403, required_scope=needed)
    g.workspace_id = token.workspace_id
    g.api_token_id = token.id


# `{"error": message, **extra}`, the one JSON error shape (`app.errors` answers raised `AppError`s with it too).
api_error = json_error


def json_body() -> dict:
    """The request's JSON object, or a 400/415 the caller can understand."""
    if not request.is_json:
        raise UnsupportedMediaType("Send a JSON body with 'Content-Type: application/json'.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadParameter("body", "The body must be a JSON object.")
    check_json(data)
    return data


# Each area's routes register themselves on `bp` when imported.
from app.api import (  # noqa: E402,F401
    feeds,
    integrations,
    inventory,
    locations,
    openapi,
    orders,
    products,
    sync,
    webhooks_admin,
    workspace,
)
