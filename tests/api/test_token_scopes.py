"""/api enforces the token's scopes where they map onto routes (catalog reads, order reads and writes, admin
for the rest), says which scope is missing, and the OpenAPI document names each route's scope."""

from __future__ import annotations

import pytest

from app.services import accounts


def _client(app, user, *scopes):
    plain = accounts.create_api_token(user, "scoped", list(scopes) or None)[1]
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    return client


def test_a_catalog_token_reads_products_but_not_orders_and_writes_nothing(app, user, make_product):
    product = make_product(user.workspace, "Lamp")
    client = _client(app, user, "catalog:read")
    assert client.get("/api/products").status_code == 200
    assert client.get(f"/api/products/{product.id}").status_code == 200
    assert client.get(f"/api/products/{product.id}/inventory").status_code == 200
    assert client.get("/api/me").status_code == 200  # any valid token says whose it is
    refused = client.get("/api/orders")
    assert refused.status_code == 403
    assert (
        refused.get_json()["required_scope"] == "orders:read" and "orders:read" in refused.get_json()["error"]
    )
    variant_id = product.variants[0].id
    create = client.post("/api/orders", json={"items": [{"variant_id": variant_id, "quantity": 1}]})
    assert create.status_code == 403 and create.get_json()["required_scope"] == "orders:write"
    assert client.patch(f"/api/products/{product.id}", json={"title": "x"}).status_code == 403
    assert client.post("/api/sync", json={}).status_code == 403


def test_an_order_token_cannot_administer_the_shop(app, user):
    client = _client(app, user, "orders:read", "orders:write")
    assert client.get("/api/orders").status_code == 200
    assert client.get("/api/integrations").get_json()["required_scope"] == "shop:admin"
    assert client.get("/api/products").status_code == 403


def test_a_token_made_without_a_choice_has_every_scope(app, user, make_product):
    make_product(user.workspace, "Lamp")
    client = _client(app, user)
    for path in ("/api/products", "/api/orders", "/api/integrations", "/api/sync"):
        assert client.get(path).status_code == 200, path


def test_unknown_or_no_scopes_are_refused_when_making_a_token(user):
    with pytest.raises(accounts.AccountError, match="Unknown scope"):
        accounts.create_api_token(user, "x", ["catalog:read", "root"])
    with pytest.raises(accounts.AccountError, match="at least one"):
        accounts.create_api_token(user, "x", [])


def test_the_openapi_document_names_each_routes_scope(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert paths["/api/products"]["get"]["x-required-scope"] == "catalog:read"
    assert paths["/api/orders"]["post"]["x-required-scope"] == "orders:write"
    assert paths["/api/orders"]["get"]["x-required-scope"] == "orders:read"
    assert paths["/api/integrations"]["get"]["x-required-scope"] == "shop:admin"
    assert "403" in paths["/api/orders"]["post"]["responses"]
    assert "x-required-scope" not in paths["/api/me"]["get"]
