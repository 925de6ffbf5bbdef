import copy
import json
import logging

import pytest

from app.platforms.errors import (
    ShopifyAuthError,
    ShopifyError,
    ShopifyIdempotencyMismatch,
    ShopifyStaleQuantity,
)
from app.platforms.shopify import queries
from app.platforms.shopify.client import ShopifyClient
from app.platforms.shopify.cost import requested_cost

from .conftest import GRAPHQL_URL, NO_JITTER, SHOP, SHOPIFY_VERSION, load, sent_json


def with_status(payload: dict, available: float, maximum: float = 1000.0, rate: float = 50.0) -> dict:
    payload = copy.deepcopy(payload)
    payload["extensions"]["cost"]["throttleStatus"] = {
        "maximumAvailable": maximum,
        "currentlyAvailable": available,
        "restoreRate": rate,
    }
    return payload


def test_endpoint_and_token_header(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "shop.json"))
    assert shopify.get_shop() == {"name": "Casa Nova", "currencyCode": "USD", "myshopifyDomain": SHOP}
    assert rsps.calls[0].request.headers["X-Shopify-Access-Token"] == "shpat_test"


def test_base_url_template_points_at_the_demo_store(clock, rsps):
    client = ShopifyClient(
        SHOP, "t", api_version=SHOPIFY_VERSION, base_url_template="http://127.0.0.1:9100/demo-store/{shop}",
        sleep=clock.sleep, clock=clock,
    )  # fmt: skip
    url = f"http://127.0.0.1:9100/demo-store/{SHOP}/admin/api/{SHOPIFY_VERSION}/graphql.json"
    rsps.post(url, json=load("shopify", "shop.json"))
    assert client.get_shop()["name"] == "Casa Nova"


def test_product_pages_to_the_end_with_cursor(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "products_page_1.json"))
    rsps.post(GRAPHQL_URL, json=load("shopify", "products_page_2.json"))
    pages = list(shopify.iter_product_pages(query="status:active"))
    assert [len(p.nodes) for p in pages] == [1, 1]
    assert [p.has_next_page for p in pages] == [True, False]
    first, second = (sent_json(c)["variables"] for c in rsps.calls)
    assert first["after"] is None and first["query"] == "status:active"
    base = {"variantsFirst": 50, "mediaFirst": 5}
    assert requested_cost(queries.PRODUCTS_PAGE_QUERY, {**base, "first": first["first"]}) <= 1000
    assert requested_cost(queries.PRODUCTS_PAGE_QUERY, {**base, "first": first["first"] + 1}) > 1000
    assert second["after"] == pages[0].end_cursor
    assert pages[0].nodes[0]["variants"]["nodes"][0]["sku"] == "LIN-S-WHT"


def test_resume_from_a_saved_cursor(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "products_page_2.json"))
    pages = list(shopify.iter_product_pages(after="saved-cursor", page_size=2))
    assert sent_json(rsps.calls[0])["variables"]["after"] == "saved-cursor"
    assert sent_json(rsps.calls[0])["variables"]["first"] == 2
    assert len(pages) == 1


def test_no_sleep_while_the_bucket_has_budget(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, json=with_status(load("shopify", "shop.json"), available=999))
    rsps.post(GRAPHQL_URL, json=with_status(load("shopify", "products_page_2.json"), available=100))
    shopify.get_shop()
    list(shopify.iter_product_pages())
    assert clock.sleeps == []


def test_waits_exactly_for_the_restore_before_an_expensive_request(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, json=with_status(load("shopify", "shop.json"), available=100, rate=50))
    rsps.post(GRAPHQL_URL, json=load("shopify", "products_page_2.json"))
    shopify.get_shop()
    clock.now += 2.0  # two seconds pass: 100 restored, 200 available
    list(shopify.iter_product_pages(page_size=5))
    first = shopify.product_page_size(50, 5, 5)  # 5 asked for, fewer when 5 would pass the cost cap
    cost = requested_cost(queries.PRODUCTS_PAGE_QUERY, {"first": first, "variantsFirst": 50, "mediaFirst": 5})
    assert clock.sleeps == [pytest.approx((cost - 200) / 50)]


def test_throttled_waits_for_restore_then_succeeds(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "throttled.json"))
    rsps.post(GRAPHQL_URL, json=load("shopify", "shop.json"))
    assert shopify.get_shop()["name"] == "Casa Nova"
    # requestedQueryCost 837, currentlyAvailable 437, restoreRate 50 -> 8 seconds
    assert clock.sleeps == [8.0]
    assert len(rsps.calls) == 2


def test_query_over_the_cost_limit_is_refused_before_sending(shopify, rsps):
    variables = {"first": 250, "variantsFirst": 100, "mediaFirst": 10}
    with pytest.raises(ShopifyError) as info:
        shopify.execute(queries.PRODUCTS_PAGE_QUERY, variables)
    assert "MAX_COST_EXCEEDED" in info.value.codes
    assert len(rsps.calls) == 0


class FakeTokens:
    def __init__(self):
        self.refreshed_from: list[str] = []

    def get(self):
        return "old-token"

    def refresh_after_unauthorized(self, old_token):
        self.refreshed_from.append(old_token)
        return "new-token"


def test_401_refreshes_the_token_once_and_retries(clock, rsps):
    tokens = FakeTokens()
    client = ShopifyClient(SHOP, token_source=tokens, api_version=SHOPIFY_VERSION, sleep=clock.sleep, clock=clock,
                           policy=NO_JITTER)  # fmt: skip
    rsps.post(GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))
    rsps.post(GRAPHQL_URL, json=load("shopify", "shop.json"))
    assert client.get_shop()["name"] == "Casa Nova"
    assert tokens.refreshed_from == ["old-token"]
    assert [c.request.headers["X-Shopify-Access-Token"] for c in rsps.calls] == ["old-token", "new-token"]


def test_second_401_is_an_auth_error(clock, rsps):
    tokens = FakeTokens()
    client = ShopifyClient(SHOP, token_source=tokens, api_version=SHOPIFY_VERSION, sleep=clock.sleep, clock=clock,
                           policy=NO_JITTER)  # fmt: skip
    rsps.post(GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))
    rsps.post(GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))
    with pytest.raises(ShopifyAuthError):
        client.get_shop()
    assert tokens.refreshed_from == ["old-token"] and clock.sleeps == []


def test_static_token_401_is_an_auth_error(shopify, rsps):
    rsps.post(GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))
    with pytest.raises(ShopifyAuthError) as info:
        shopify.get_shop()
    assert "reconnect" in info.value.merchant_message


def test_graphql_errors_become_shopify_error_with_errors(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "access_denied.json"))
    with pytest.raises(ShopifyAuthError) as info:
        shopify.get_shop()
    assert info.value.errors[0]["extensions"]["code"] == "ACCESS_DENIED"


CHANGE = {
    "inventory_item_id": "gid://shopify/InventoryItem/55001",
    "location_id": "gid://shopify/Location/346779380",
    "delta": -2,
    "change_from_quantity": 7,
}


def test_adjust_inventory_sends_directive_change_from_quantity_and_key(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
    group = shopify.adjust_inventory(
        [CHANGE], "key-123", reason="correction", reference_document_uri="logistics://wagents/order/1001"
    )
    assert group["changes"][0]["quantityAfterChange"] == 5
    body = sent_json(rsps.calls[0])
    assert "@idempotent(key: $idempotencyKey)" in body["query"]
    assert body["variables"]["idempotencyKey"] == "key-123"
    assert body["variables"]["input"] == {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "logistics://wagents/order/1001",
        "changes": [
            {
                "inventoryItemId": CHANGE["inventory_item_id"],
                "locationId": CHANGE["location_id"],
                "delta": -2,
                "changeFromQuantity": 7,
            }
        ],
    }


def test_retried_adjust_call_resends_the_same_key(shopify, rsps):
    rsps.post(GRAPHQL_URL, status=503)
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
    shopify.adjust_inventory([CHANGE], "key-abc")
    bodies = [c.request.body for c in rsps.calls]
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert json.loads(bodies[1])["variables"]["idempotencyKey"] == "key-abc"


def test_adjust_requires_change_from_quantity(shopify):
    with pytest.raises(ValueError):
        shopify.adjust_inventory([{**CHANGE, "change_from_quantity": None}], "k")


def test_stale_quantity_user_error(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_stale.json"))
    with pytest.raises(ShopifyStaleQuantity) as info:
        shopify.adjust_inventory([CHANGE], "k1")
    assert info.value.user_errors[0]["code"] == "CHANGE_FROM_QUANTITY_STALE"


def test_idempotency_mismatch_is_logged_loudly(shopify, rsps, caplog, monkeypatch):
    # Alembic's fileConfig (migrations/env.py) disables loggers that exist when migrations run in-session.
    monkeypatch.setattr(logging.getLogger("app.platforms.errors"), "disabled", False)
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_idempotency_mismatch.json"))
    with caplog.at_level(logging.ERROR), pytest.raises(ShopifyIdempotencyMismatch):
        shopify.adjust_inventory([CHANGE], "k1")
    assert any(r.levelno == logging.ERROR and "IDEMPOTENCY" in r.message for r in caplog.records)


def test_get_inventory_level(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_level.json"))
    level = shopify.get_inventory_level(CHANGE["inventory_item_id"], CHANGE["location_id"])
    assert level.available == 7 and level.tracked
    assert sent_json(rsps.calls[0])["variables"]["locationId"] == CHANGE["location_id"]


def test_create_webhook_uses_uri(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "webhook_subscription_create.json"))
    created = shopify.create_webhook("PRODUCTS_UPDATE", "https://app.example.com/webhooks/shopify")
    assert created["id"] == "gid://shopify/WebhookSubscription/4759306"
    body = sent_json(rsps.calls[0])
    assert "webhookSubscription: {uri: $uri" in body["query"]
    assert body["variables"] == {
        "topic": "PRODUCTS_UPDATE",
        "uri": "https://app.example.com/webhooks/shopify",
    }


def test_mutation_user_errors_raise_shopify_error(shopify, rsps):
    payload = load("shopify", "webhook_subscription_create.json")
    payload["data"]["webhookSubscriptionCreate"] = {
        "webhookSubscription": None,
        "userErrors": [
            {
                "field": ["webhookSubscription", "uri"],
                "message": "Address for this topic has already been taken",
            }
        ],
    }
    rsps.post(GRAPHQL_URL, json=payload)
    with pytest.raises(ShopifyError) as info:
        shopify.create_webhook("PRODUCTS_UPDATE", "https://app.example.com/webhooks/shopify")
    assert info.value.user_errors[0]["field"] == ["webhookSubscription", "uri"]
