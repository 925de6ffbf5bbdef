"""`/api/openapi.json` documents every /api route registered in the app, with schemas for ours."""

from __future__ import annotations

import re

from flask import current_app

from app.api.openapi import build_document


def _documented_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule)


def test_every_registered_api_rule_is_documented(api_client):
    response = api_client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    rules = [r for r in current_app.url_map.iter_rules() if r.rule == "/api" or r.rule.startswith("/api/")]
    assert len(rules) > 20
    operation_ids = set()
    for rule in rules:
        path = doc["paths"].get(_documented_path(rule.rule))
        assert path is not None, f"{rule.rule} is missing from the OpenAPI document"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            op = path.get(method.lower())
            assert op is not None, f"{method} {rule.rule} is missing"
            assert op["summary"] and op["responses"], rule.rule
            assert op["operationId"] not in operation_ids
            operation_ids.add(op["operationId"])
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == set(rule.arguments), rule.rule


def test_products_and_orders_routes_carry_schemas(app):
    with app.test_request_context():
        doc = build_document()
    products = doc["paths"]["/api/products"]
    assert products["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ProductInput"
    }
    assert {p["name"] for p in products["get"]["parameters"]} >= {"q", "status", "sort", "cursor", "limit"}
    assert (
        "201" in products["post"]["responses"]
        and "204" in doc["paths"]["/api/products/{product_id}"]["delete"]["responses"]
    )
    assert doc["paths"]["/api/orders/{order_id}"]["patch"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/OrderPatch"}
    refs = re.findall(r'"#/components/schemas/(\w+)"', str(doc).replace("'", '"'))
    assert set(refs) <= set(doc["components"]["schemas"])


def test_a_new_route_shows_up_without_touching_the_generator(app):
    from app.api import bp

    assert "api.openapi" in app.view_functions
    with app.test_request_context():
        paths = build_document()["paths"]
    assert all(p.startswith("/api") for p in paths)
    # Webhooks authenticate by signature: documented without the bearer requirement.
    webhook_ops = [
        op for p, ops in paths.items() if p.startswith("/api/webhooks/shopify") for op in ops.values()
    ]
    assert webhook_ops and all(op.get("security") == [] for op in webhook_ops)
    assert bp.name == "api"


def test_openapi_document_is_readable_without_a_token(client, user):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["paths"]["/api/openapi.json"]["get"]["security"] == []  # says so itself
    assert doc["paths"]["/api/products"]["get"].get("security") is None  # the rest keeps bearerAuth
    assert doc["security"] == [{"bearerAuth": []}]


def test_only_the_openapi_route_is_public(client, user):
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/products").status_code == 401
    response = client.get("/api/openapi.json", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 200
