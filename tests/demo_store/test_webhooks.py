"""Webhooks: subscriptions through GraphQL, REST-shaped bodies, Shopify's headers and signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from app.demo_store import catalog

from .conftest import API_SECRET, SHOP

CREATE = """mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic uri format } userErrors { field message } } }"""
HEADERS = {"X-Shopify-Topic", "X-Shopify-Hmac-Sha256", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id",
           "X-Shopify-Event-Id", "X-Shopify-API-Version", "X-Shopify-Triggered-At"}  # fmt: skip


def _verify(delivery) -> dict:
    expected = base64.b64encode(
        hmac.new(API_SECRET.encode(), delivery["body"], hashlib.sha256).digest()
    ).decode()
    assert hmac.compare_digest(delivery["headers"]["X-Shopify-Hmac-Sha256"], expected)
    return json.loads(delivery["body"])


def test_product_change_fires_signed_products_update(gql, store, deliveries):
    uri = "https://app.test/webhooks/shopify"
    created = gql(CREATE, {"topic": "PRODUCTS_UPDATE", "sub": {"uri": uri, "format": "JSON"}}).json()["data"]
    subscription = created["webhookSubscriptionCreate"]["webhookSubscription"]
    assert subscription["topic"] == "PRODUCTS_UPDATE" and subscription["uri"] == uri

    store.update_product(4, shop=SHOP, title="Renamed", variants=[{"price": "12.00"}])
    (delivery,) = deliveries
    assert delivery["url"] == uri
    assert set(delivery["headers"]) >= HEADERS
    assert delivery["headers"]["X-Shopify-Topic"] == "products/update"
    assert delivery["headers"]["X-Shopify-Shop-Domain"] == SHOP
    body = _verify(delivery)
    assert body["id"] == catalog.product_id(4)
    assert body["admin_graphql_api_id"] == f"gid://shopify/Product/{catalog.product_id(4)}"
    assert body["title"] == "Renamed" and body["status"] == "active"
    assert isinstance(body["tags"], str)
    variant = body["variants"][0]
    assert variant["product_id"] == body["id"] and variant["price"] == "12.00"
    assert {"sku", "inventory_item_id", "inventory_quantity", "compare_at_price", "option1"} <= set(variant)


def test_duplicate_subscription_is_a_user_error_and_delete_works(gql):
    sub = {"uri": "https://app.test/hook"}
    first = gql(CREATE, {"topic": "ORDERS_CREATE", "sub": sub}).json()["data"]["webhookSubscriptionCreate"]
    again = gql(CREATE, {"topic": "ORDERS_CREATE", "sub": sub}).json()["data"]["webhookSubscriptionCreate"]
    assert again["webhookSubscription"] is None and again["userErrors"]
    delete = """mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }"""
    sub_id = first["webhookSubscription"]["id"]
    deleted = gql(delete, {"id": sub_id}).json()["data"]["webhookSubscriptionDelete"]
    assert deleted == {"deletedWebhookSubscriptionId": sub_id, "userErrors": []}
    listed = gql("{ webhookSubscriptions(first: 10) { nodes { id } } }").json()["data"][
        "webhookSubscriptions"
    ]
    assert listed["nodes"] == []


def test_placed_order_fires_orders_create_and_inventory_update(store, deliveries):
    store.subscribe(SHOP, "ORDERS_CREATE", "https://app.test/hook")
    store.subscribe(SHOP, "INVENTORY_LEVELS_UPDATE", "https://app.test/hook")
    before = store.quantities(SHOP, catalog.inventory_item_id(2, 0))["available"]
    store.place_order([(2, 0, 1)], shop=SHOP)
    topics = [d["headers"]["X-Shopify-Topic"] for d in deliveries]
    assert topics == ["inventory_levels/update", "orders/create"]
    level, order = (_verify(d) for d in deliveries)
    assert level["inventory_item_id"] == catalog.inventory_item_id(2, 0)
    assert level["available"] == before - 1
    assert level["admin_graphql_api_id"].startswith("gid://shopify/InventoryLevel/")
    assert order["line_items"][0]["variant_id"] == catalog.variant_id(2, 0)
