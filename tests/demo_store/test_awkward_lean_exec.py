"""The awkward catalog's new objects answer the same through the lean executor and through graphql-core."""

from __future__ import annotations

import json

import graphql
import pytest

from app.demo_store.bulk_exec import LeanExecutor
from app.demo_store.graphql_api import ROOT, Context, schema
from tests.demo_store.conftest import AWKWARD_SHOP

DOCUMENTS = [
    """{ products(first: 6) { nodes { id hasOnlyDefaultVariant mediaCount { count } variantsCount { count }
        collections(first: 5) { nodes { id title ruleSet { appliedDisjunctively rules { column relation condition } } } }
        featuredMedia { id } media(first: 3) { nodes { id ... on MediaImage { alt image { url altText width } } } }
        variants(first: 4) { pageInfo { hasNextPage endCursor } edges { cursor node { id sku barcode
          selectedOptions { name value } image { url } media(first: 1) { nodes { id } }
          inventoryItem { inventoryLevels(first: 4) { nodes { id location { id name fulfillsOnlineOrders }
            quantities(names: ["available", "on_hand", "committed"]) { name quantity updatedAt } } } } } } } } } }""",
    """{ orders(first: 3) { nodes { id displayFinancialStatus displayFulfillmentStatus currentSubtotalLineItemsQuantity
        totalRefundedSet { shopMoney { amount currencyCode } }
        lineItems(first: 3) { nodes { id quantity currentQuantity unfulfilledQuantity refundableQuantity } }
        fulfillments(first: 2) { id name status displayStatus deliveredAt totalQuantity location { name }
          trackingInfo(first: 1) { company number url }
          fulfillmentLineItems(first: 2) { nodes { id quantity lineItem { id } originalTotalSet { shopMoney { amount } } } } }
        refunds { id note totalRefundedSet { shopMoney { amount } }
          refundLineItems(first: 5) { nodes { id quantity restockType restocked location { id } subtotalSet { shopMoney { amount } } } } } } } }""",
    """{ locations(first: 5, includeInactive: true) { nodes { id name isActive isPrimary fulfillsOnlineOrders
        inventoryLevels(first: 3) { pageInfo { hasNextPage } nodes { id item { id sku } } } } }
      collections(first: 5) { nodes { id title handle sortOrder productsCount { count } products(first: 3) { nodes { id } } } }
      inventoryItems(first: 3) { nodes { id inventoryLevel(locationId: "gid://shopify/Location/70000000002") { id } } }
      locationsCount { count } collectionsCount { count } }""",
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_lean_executor_matches_graphql_core_on_awkward_documents(awkward, document):
    doc = graphql.parse(document)
    assert not graphql.validate(schema(), doc)
    expected_ctx = Context(store=awkward, shop=AWKWARD_SHOP, base_url="https://x")
    expected = graphql.execute(schema(), doc, ROOT, expected_ctx, {})
    assert expected.errors is None, expected.errors
    lean_ctx = Context(store=awkward, shop=AWKWARD_SHOP, base_url="https://x")
    lean = LeanExecutor(schema(), doc, {}, graphql.get_operation_ast(doc)).run(ROOT, lean_ctx)
    assert json.dumps(lean) == json.dumps(expected.data)
    assert lean_ctx.connection_counts == expected_ctx.connection_counts
