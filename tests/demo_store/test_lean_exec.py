"""The lean executor answers the app's ordinary documents byte for byte as graphql-core does.

The demo store runs validated query operations through `bulk_exec.LeanExecutor` (graphql-core's per-field
overhead capped a paged sync at ~300 products/s); the response bytes and the connection sizes the cost
refund is computed from must not change.
"""

from __future__ import annotations

import json

import graphql
import pytest

from app.demo_store.bulk_exec import LeanExecutor
from app.demo_store.graphql_api import ROOT, Context, _execute, schema
from app.platforms.shopify import queries

from .conftest import SHOP

PRODUCT = "gid://shopify/Product/{}"
CASES = [
    (
        queries.PRODUCTS_PAGE_QUERY,
        {"first": 5, "after": None, "query": None, "variantsFirst": 10, "mediaFirst": 3},
    ),
    (queries.PRODUCTS_PAGE_QUERY, {"first": 24, "variantsFirst": 1, "mediaFirst": 0}),
    (
        queries.PRODUCTS_PAGE_QUERY,
        {"first": 3, "query": "status:active", "variantsFirst": 2, "mediaFirst": 5},
    ),
    (queries.PRODUCTS_COUNT_QUERY, {"query": None}),
    (queries.PRODUCTS_COUNT_QUERY, {"query": "status:draft"}),
    (queries.ORDERS_PAGE_QUERY, {"first": 10, "after": None, "query": None, "lineItemsFirst": 50}),
    (queries.ORDERS_PAGE_QUERY, {"first": 2, "lineItemsFirst": 1}),
    (queries.ORDERS_COUNT_QUERY, {"query": None}),
]


def _both(store, document, variables):
    doc = graphql.parse(document)
    expected_ctx = Context(store=store, shop=SHOP, base_url="https://x")
    expected = graphql.execute(schema(), doc, ROOT, expected_ctx, variables)
    assert expected.errors is None, expected.errors
    lean_ctx = Context(store=store, shop=SHOP, base_url="https://x")
    operation = graphql.get_operation_ast(doc)
    coerced = graphql.execution.values.get_variable_values(
        schema(), operation.variable_definitions, variables
    )
    lean = LeanExecutor(schema(), doc, coerced.coerced, operation).run(ROOT, lean_ctx)
    assert json.dumps(lean) == json.dumps(expected.data)  # same keys, same order, same values
    # Same document nodes, so the same keys: the actual cost (and the refund) is computed from these.
    assert lean_ctx.connection_counts == expected_ctx.connection_counts
    return expected.data


@pytest.fixture
def shop(store):
    store.seed_shop(SHOP, products=30)
    store.update_product(3, shop=SHOP, title="Changed", status="DRAFT")
    return store


@pytest.mark.parametrize(("document", "variables"), CASES)
def test_app_documents_answer_identically(shop, document, variables):
    _both(shop, document, variables)


def test_pages_and_products_by_id_answer_identically(shop):
    variables = {"first": 7, "variantsFirst": 10, "mediaFirst": 3}
    page = _both(shop, queries.PRODUCTS_PAGE_QUERY, variables)
    cursor = page["products"]["pageInfo"]["endCursor"]
    _both(shop, queries.PRODUCTS_PAGE_QUERY, {**variables, "after": cursor})
    for node in page["products"]["nodes"][:3]:
        _both(shop, queries.PRODUCT_BY_ID_QUERY, {"id": node["id"], "variantsFirst": 2, "mediaFirst": 1})
    _both(
        shop,
        queries.PRODUCT_BY_ID_QUERY,
        {"id": PRODUCT.format(999999999), "variantsFirst": 2, "mediaFirst": 1},
    )
    _both(shop, queries.PRODUCT_VARIANTS_PAGE_QUERY, {"id": page["products"]["nodes"][0]["id"], "first": 2})


def test_errors_still_come_from_graphql_core(shop):
    doc = graphql.parse(queries.PRODUCTS_PAGE_QUERY)
    variables = {"first": 5, "after": "not-a-cursor", "variantsFirst": 1, "mediaFirst": 1}
    ctx = Context(store=shop, shop=SHOP, base_url="https://x")
    result = _execute(ctx, doc, variables)
    expected = graphql.execute(
        schema(), doc, ROOT, Context(store=shop, shop=SHOP, base_url="https://x"), variables
    )
    assert result.errors and [e.formatted for e in result.errors] == [e.formatted for e in expected.errors]
    assert result.data == expected.data
