"""Responses come from Shopify's real schema: representative queries execute without errors, invalid
documents get Shopify's error shape, deprecated fields are reported in a header."""

from __future__ import annotations

import pytest

from app.demo_store import catalog

from .conftest import SHOP

PRODUCT = f"gid://shopify/Product/{catalog.product_id(1)}"
ITEM = f"gid://shopify/InventoryItem/{catalog.inventory_item_id(1, 0)}"
REPRESENTATIVE = {
    "shop": "{ shop { id name myshopifyDomain email currencyCode ianaTimezone primaryDomain { url host } "
    "plan { publicDisplayName partnerDevelopment shopifyPlus } } }",
    "catalog page": """{ products(first: 10, sortKey: UPDATED_AT, reverse: true) { edges { cursor node {
        id legacyResourceId title handle vendor productType tags status descriptionHtml description
        createdAt updatedAt publishedAt onlineStoreUrl totalInventory tracksInventory hasOutOfStockVariants
        seo { title description } priceRangeV2 { minVariantPrice { amount currencyCode } }
        options { id name values optionValues { id name } }
        featuredMedia { ... on MediaImage { id image { url altText width height } } }
        media(first: 3) { nodes { id alt mediaContentType status preview { image { url } }
          ... on MediaImage { image { id url(transform: {maxWidth: 400}) } } } }
        variants(first: 5) { nodes { id legacyResourceId title sku barcode price compareAtPrice position
          inventoryQuantity availableForSale inventoryPolicy taxable
          selectedOptions { name value } inventoryItem { id tracked sku } } }
      } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""",
    "product by id": f'{{ product(id: "{PRODUCT}") {{ id title variantsCount {{ count precision }} }} }}',
    "counts": "{ productsCount { count precision } ordersCount { count } }",
    "orders": """{ orders(first: 5, reverse: true) { nodes { id name email createdAt processedAt
        displayFinancialStatus displayFulfillmentStatus currencyCode
        subtotalPriceSet { shopMoney { amount } } totalPriceSet { shopMoney { amount currencyCode } }
        lineItems(first: 5) { nodes { id name title quantity sku variantTitle vendor
          originalUnitPriceSet { shopMoney { amount } } variant { id } product { id } } } } } }""",
    "inventory item": f"""{{ inventoryItem(id: "{ITEM}") {{ id sku tracked variants(first: 1) {{ nodes {{ id }} }}
        inventoryLevels(first: 5) {{ edges {{ node {{ id quantities(names: ["available", "on_hand", "committed"])
        {{ name quantity }} location {{ id name isActive }} }} }} }} }} }}""",
    "locations": "{ locations(first: 5) { nodes { id name isActive address { formatted countryCode } } } }",
    "webhooks": "{ webhookSubscriptions(first: 10) { nodes { id topic uri format createdAt } } }",
    "bulk": "{ bulkOperations(first: 5) { nodes { id status } } }",
    "node": f'{{ node(id: "{PRODUCT}") {{ id ... on Product {{ title }} }} }}',
}


@pytest.mark.parametrize("name", REPRESENTATIVE)
def test_representative_queries_execute_against_the_real_schema(gql, store, name):
    store.throttle.configure(SHOP, off=True)
    response = gql(REPRESENTATIVE[name])
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body.get("errors")
    assert body["data"] is not None
    assert "X-Shopify-API-Deprecated-Reason" not in response.headers


def test_invalid_document_gets_shopify_error_shape(gql):
    response = gql("{ shop { name notAField } }")
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "undefinedField"
    assert error["locations"] == [{"line": 1, "column": 15}]
    assert "notAField" in error["message"]
    assert "data" not in response.json()


def test_syntax_error_and_missing_query(gql, shopify):
    import requests

    assert gql("{ shop { name ").json()["errors"][0]["locations"]
    response = requests.post(f"https://{SHOP}/admin/api/2026-10/graphql.json", json={},
                             headers={"X-Shopify-Access-Token": "shpat_test_custom_token"}, timeout=5)  # fmt: skip
    assert response.status_code == 400


def test_deprecated_field_is_reported_in_a_header(gql):
    response = gql("{ products(first: 1) { nodes { id totalVariants } } }")
    assert "errors" not in response.json()
    assert response.headers["X-Shopify-API-Deprecated-Reason"].startswith("https://shopify.dev/")
    assert response.headers["X-Shopify-API-Version"] == "2026-10"


def test_response_keys_follow_the_selection_order(gql):
    node = gql("{ products(first: 1) { nodes { updatedAt title id } } }").json()["data"]["products"]["nodes"][
        0
    ]
    assert list(node) == ["updatedAt", "title", "id"]
