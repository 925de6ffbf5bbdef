"""`GET /api/openapi.json`: an OpenAPI 3.0 document generated from Flask's url_map, so every `/api` route is
in it the moment it is registered (a test checks this), whoever wrote it.

Per-route detail comes from, in order: the `@documented(...)` decorator on the view, the `KNOWN` table below
(routes of other areas that carry no decorator), the view's docstring. Schemas live in `openapi_schemas`.
This module describes routes; it must not change how any of them behave.
"""

from __future__ import annotations

import re

from flask import current_app, jsonify

from app.api import bp, is_public, public
from app.api.openapi_schemas import INT, QUERIES, SCHEMAS, STR, ref
from app.api.scopes import required_scope

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}
_OBJECT = {"type": "object"}


def documented(summary: str, *, body: str | None = None, response: str | None = None, status: int = 200,
               query: str | None = None, media: tuple[str, ...] = ("application/json",)):  # fmt: skip
    """Attach OpenAPI detail to a view function (stack it under `@bp.get(...)` and friends); `media`: the
    response's content types (a streamed feed answers JSON Lines or CSV, each line a `response`)."""

    def mark(view):
        view._openapi = {
            "summary": summary,
            "body": body,
            "response": response,
            "status": status,
            "query": query,
            "media": media,
        }
        return view

    return mark


def _inline(properties: dict, required=()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required)} if required else {
        "type": "object", "properties": properties}  # fmt: skip


_SYNC_KIND = {"type": "string", "enum": ["full", "incremental", "bulk", "orders"], "default": "full"}
# Both routes that start a sync are one door (`app.sync.service.start_sync`, answered by `app.api.sync.start`).
_SYNC_DOOR = (
    "`kind` defaults to `full`. 202: `{run, run_id, status_url}` and a `Location` header (the integration's route "
    "adds `integration`). A refusal is `{error, run, status_url}`: 409 with the run already queued or in "
    "progress (or nulls when the store is not connected), 400 for a channel that is not synced, 503 with the "
    "run that could not be queued."
)

# Routes owned by other areas: summaries and request bodies as their modules accept them.
KNOWN = {
    "api.me": {"summary": "The workspace of this token"},
    "api.list_integrations": {"summary": "List integrations"},
    "api.create_integration": {
        "summary": "Create an integration",
        "status": 201,
        "body": _inline(
            {"platform": {"type": "string", "enum": ["shopify", "whatsapp", "facebook"]}}, ["platform"]
        ),
    },  # fmt: skip
    "api.get_integration": {"summary": "Read an integration"},
    "api.update_integration": {"summary": "Update an integration's settings", "body": _OBJECT},
    "api.delete_integration": {"summary": "Delete an integration"},
    "api.connect_integration": {
        "summary": "Connect an integration (Shopify: answers the OAuth URL)",
        "body": _OBJECT,
    },
    "api.disconnect_integration": {"summary": "Disconnect an integration"},
    "api.sync_integration": {
        "summary": "Start a sync of this integration",
        "status": 202,
        "body": _inline({"kind": _SYNC_KIND}),
        "description": _SYNC_DOOR,
    },
    "api.start_sync": {
        "summary": "Start a sync run",
        "status": 202,
        "body": _inline({"integration_id": INT, "kind": _SYNC_KIND}, ["integration_id"]),
        "description": _SYNC_DOOR,
    },
    "api.sync_status": {"summary": "Status, counts and percent of a sync run"},
    "api.list_runs": {
        "summary": "Recent sync runs (optionally of one integration)",
        "params": [{"name": "integration", "in": "query", "required": False, "schema": INT}],
    },
    "api.product_inventory": {"summary": "Stock and active reservations of a product's variants"},
    "api.create_reservation": {
        "summary": "Hold stock for a buyer",
        "status": 201,
        "body": _inline(
            {
                "variant_id": INT,
                "quantity": {"type": "integer", "minimum": 1},
                "order_id": INT,
                "ttl_seconds": {"type": "integer", "minimum": 60, "maximum": 86400},
            },
            ["variant_id", "quantity"],
        ),
    },  # fmt: skip
    "api.commit_order": {
        "summary": "Commit an order: reservations become sales, stock is written to Shopify"
    },
    "api.cancel_order": {"summary": "Cancel an order and give its stock back"},
    "api.retry_webhook_delivery": {"summary": "Retry a failed webhook delivery"},
    "api.compliance_export": {"summary": "Export the data of a GDPR/compliance request"},
    "api.openapi": {"summary": "This OpenAPI document"},
}


def _path(rule) -> tuple[str, list[dict]]:
    params = []

    def swap(match):
        schema = _TYPES.get(match.group("conv") or "", STR)
        params.append({"name": match.group("name"), "in": "path", "required": True, "schema": schema})
        return "{" + match.group("name") + "}"

    return _CONVERTER.sub(swap, rule.rule), params


def _meta(endpoint: str) -> dict:
    view = current_app.view_functions.get(endpoint)
    meta = dict(getattr(view, "_openapi", None) or KNOWN.get(endpoint) or {})
    doc = (view.__doc__ or "").strip() if view else ""
    if not meta.get("summary"):
        meta["summary"] = (
            doc.splitlines()[0] if doc else endpoint.split(".")[-1].replace("_", " ").capitalize()
        )
    if doc and "description" not in meta:
        meta["description"] = doc
    return meta


def _schema(value) -> dict | None:
    if value is None:
        return None
    return ref(value) if isinstance(value, str) else value


def _operation(rule, method: str, path_params: list[dict]) -> dict:
    meta = _meta(rule.endpoint)
    api_blueprint = rule.endpoint.startswith("api.")
    status = meta.get("status", 200)
    ok = {"description": "Success"}
    if status != 204:
        schema = _schema(meta.get("response")) or _OBJECT
        ok["content"] = {media: {"schema": schema} for media in meta.get("media") or ("application/json",)}
    error = {"description": "Error", "content": {"application/json": {"schema": ref("Error")}}}
    op = {
        # From the path, not the endpoint: one view may serve several rules, and ids must be unique.
        "operationId": method.lower()
        + re.sub(r"[^A-Za-z0-9]+", "_", rule.rule.removeprefix("/api")).rstrip("_"),
        "summary": meta["summary"],
        "tags": [rule.rule.removeprefix("/api/").split("/")[0] or "api"],
        "parameters": path_params + (QUERIES.get(meta.get("query") or "") or meta.get("params") or []),
        "responses": {str(status): ok, "4XX": error},
    }
    if meta.get("description"):
        op["description"] = meta["description"]
    if method in ("POST", "PUT", "PATCH"):
        body = _schema(meta.get("body"))
        op["requestBody"] = {
            "required": body is not None and body is not _OBJECT,
            "content": {"application/json": {"schema": body or _OBJECT}},
        }
    if not api_blueprint or is_public(rule.endpoint):
        # Platform webhooks authenticate by signature over the raw body; public views need no token at all.
        op["security"] = []
    elif scope := required_scope(rule.endpoint, method, rule.rule):
        # Bearer schemes carry no scope list in OpenAPI 3.0: the scope is an extension and a sentence.
        op["x-required-scope"] = scope
        op["responses"]["403"] = {
            "description": f"The token lacks the '{scope}' scope",
            "content": error["content"],
        }
    return op


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not (rule.rule == "/api" or rule.rule.startswith("/api/")):
            continue
        path, params = _path(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, method, params)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "WAgents Commerce API",
            "version": "1.0",
            "description": 'Bearer-token JSON API. Errors are {"error": "..."} (validation errors add '
            '"fields"). Money is a decimal string; timestamps are ISO 8601 UTC. Each token has scopes chosen '
            "when it is made (catalog:read, orders:read, orders:write, messages:send, shop:admin); an operation "
            "names the one it needs in `x-required-scope`, and a token without it is answered 403.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
        "paths": paths,
    }


@bp.get("/openapi.json")
@public  # how a developer or a schema-driven client discovers the API, before holding a token
def openapi():
    """This OpenAPI document."""
    return jsonify(build_document())
