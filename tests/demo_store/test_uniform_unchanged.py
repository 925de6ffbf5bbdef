"""The uniform catalog answers exactly what it answered before the awkward catalog existed.

``golden/uniform.json`` was recorded from the demo store as it was before (products with variants, media,
stock and location, orders with line items, locations, and the REST bodies of a product and an order).
"""

from __future__ import annotations

import json
from pathlib import Path

from app.demo_store import DemoStore
from app.demo_store.graphql_api import Context, execute_request

GOLDEN = json.loads((Path(__file__).parent / "golden" / "uniform.json").read_text())
QUERY = """{
  products(first: 4, query: "updated_at:>2025-01-31T00:00:30Z") { pageInfo { hasNextPage endCursor }
    nodes { id legacyResourceId title handle vendor productType tags status descriptionHtml createdAt updatedAt
      hasOnlyDefaultVariant totalInventory variantsCount { count } options { name values }
      variants(first: 3) { pageInfo { hasNextPage } nodes { id title sku barcode price compareAtPrice position
        inventoryQuantity selectedOptions { name value } image { url }
        inventoryItem { id sku inventoryLevels(first: 5) { nodes { id quantities(names: ["available", "on_hand", "committed"]) { name quantity }
          location { id name isActive fulfillsOnlineOrders } } } } } }
      media(first: 5) { nodes { ... on MediaImage { id alt image { url width height } } } }
      collections(first: 5) { nodes { id } } } }
  orders(first: 3) { nodes { id name displayFinancialStatus displayFulfillmentStatus totalRefundedSet { shopMoney { amount } }
    lineItems(first: 5) { nodes { id quantity currentQuantity unfulfilledQuantity sku variant { id } } } } }
  locations(first: 5) { nodes { id name isActive isPrimary fulfillsOnlineOrders address { formatted } } }
}"""
SHOP = "golden.myshopify.com"


def _store() -> DemoStore:
    store = DemoStore(":memory:", default_products=50, default_orders=5, throttle_off=True)
    store.seed_shop(SHOP)
    return store


def test_uniform_graphql_answers_are_unchanged():
    store = _store()
    body = execute_request(Context(store=store, shop=SHOP, base_url="http://x"), {"query": QUERY}).body
    assert json.loads(json.dumps(body)) == GOLDEN["graphql"]


def test_uniform_webhook_bodies_are_unchanged_but_for_empty_fulfillments_and_refunds():
    store = _store()
    assert store.product_payload(SHOP, store.product(SHOP, 7)) == GOLDEN["product_payload"]
    order = store.order_payload(SHOP, store.order(SHOP, 2))
    assert order.pop("fulfillments") == [] and order.pop("refunds") == []
    assert order == GOLDEN["order_payload"]


def test_a_shop_is_uniform_unless_seeded_awkward():
    store = _store()
    assert store.catalog_kind(SHOP) == "uniform"
    assert store.catalog_kind("never-seeded.myshopify.com") == "uniform"
    assert store.shop_row(SHOP)["product_count"] == 50
