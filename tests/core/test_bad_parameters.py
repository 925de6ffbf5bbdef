"""The inputs that used to answer 500 (issue "Trust"): each is now a 400 naming the bad parameter, on the API
as `{"error", "parameter"}` and on pages (and their htmx fragments) as a 400 with the message."""

from __future__ import annotations

import pytest

API_QUERIES = [
    ("/api/products?q=a%00b", "q"),
    ("/api/products?category=2147483648", "category"),
    ("/api/products?category=-2147483649", "category"),
    ("/api/products?limit=²", "limit"),
    ("/api/orders?limit=²", "limit"),
    ("/api/sync?integration=2147483648", "integration"),
    ("/api/products/99999999999999999999", "product_id"),
    ("/api/orders/9223372036854775808", "order_id"),
]
PAGES = [
    ("/products?q=a%00b", "q"),
    ("/conversations/?q=a%00b", "q"),
    ("/logs/webhooks?topic=a%00b", "topic"),
    ("/logs/entries?entity_type=a%00b", "entity_type"),
    ("/products?category=2147483648", "category"),
    ("/logs/webhooks?integration=-2147483649", "integration"),
    ("/logs/entries?run=" + "9" * 30, "run"),
    ("/logs/?integration=2147483648", "integration"),
    ("/products/99999999999999999999", "product_id"),
    ("/orders/2147483648", "order_id"),
]


@pytest.mark.parametrize(("url", "parameter"), API_QUERIES)
def test_api_query_and_path_values_the_database_cannot_hold_are_a_400_naming_them(api_client, url, parameter):
    response = api_client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["parameter"] == parameter
    assert response.get_json()["error"]


@pytest.mark.parametrize(("url", "parameter"), PAGES)
@pytest.mark.parametrize("htmx", [False, True])
def test_page_values_the_database_cannot_hold_are_a_400_naming_them(auth_client, url, parameter, htmx):
    response = auth_client.get(url, headers={"HX-Request": "true"} if htmx else {})
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:300]
    assert f"&#39;{parameter}&#39;" in body or f">{parameter}: " in body, body[:500]
    assert ("<!doctype html>" not in body.lower()) == htmx  # htmx gets the sentence alone, to swap in


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"title": "a\x00b", "price": "1.00"}, "title"),
        ({"title": "a\ud800b", "price": "1.00"}, "title"),
        ({"title": "Mug", "price": "1.00", "category_id": 2**64}, "category_id"),
        ({"title": "Mug", "price": "1.00", "variants": [{"price": "1.00", "sku": "\x01"}]}, "variants.0.sku"),
    ],
)
def test_api_json_text_the_database_cannot_hold_is_a_400_naming_the_field(api_client, body, parameter):
    response = api_client.post("/api/products", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["parameter"] == parameter


@pytest.mark.parametrize("quantity", ["2", 2.5, None, [1], True, 2**40])
@pytest.mark.parametrize("variant", ["unknown", "real"])
def test_api_order_quantity_must_be_a_whole_number_and_the_error_names_it(
    api_client, user, make_product, quantity, variant
):
    # A real variant takes the order further (its price is looked up) than an unknown one.
    variant_id = make_product(user.workspace).variants[0].id if variant == "real" else 1
    response = api_client.post(
        "/api/orders", json={"items": [{"variant_id": variant_id, "quantity": quantity}]}
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["fields"]["items.0.quantity"]
    assert response.get_json()["parameter"]


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"platform": "shopify", "shop_domain": 5}, "shop_domain"),
        ({"platform": "shopify", "shop_domain": True}, "shop_domain"),
        (
            {"platform": "shopify", "shop_domain": "a.myshopify.com", "display_name": "x" * 256},
            "display_name",
        ),
        ({"platform": "whatsapp", "phone_number_id": "1" * 300}, "phone_number_id"),
    ],
)
def test_api_integration_fields_of_the_wrong_type_or_length_are_a_400(api_client, body, parameter):
    response = api_client.post("/api/integrations", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["parameter"] == parameter


def test_form_fields_with_nul_bytes_are_a_400_naming_them(app, auth_client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    response = auth_client.post("/products", data={"title": "a\x00b", "price": "1.00"})
    assert response.status_code == 400
    assert "&#39;title&#39; must not contain NUL bytes" in response.get_data(as_text=True)


def test_agent_tools_take_ids_and_quantities_within_the_database_range(workspace):
    import json

    import agent_tools
    from agent_tools.registry import ToolContext

    ctx = ToolContext(workspace.id)
    for bad, args in (
        ("variant_id", {"variant_id": 2**31, "sku": None, "quantity": 1}),
        ("quantity", {"variant_id": 1, "sku": None, "quantity": "2"}),
        ("sku", {"variant_id": None, "sku": "a\x00b", "quantity": 1}),
    ):
        answer = agent_tools.call("check_availability", json.dumps(args), ctx)
        assert answer["error"]["type"] == "invalid_arguments", answer
        assert bad in answer["error"]["message"], answer
