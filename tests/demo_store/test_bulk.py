"""Bulk queries: JSONL in Shopify's format, status lifecycle, finish webhook, concurrency limit."""

from __future__ import annotations

import json

import requests

from .conftest import SHOP

RUN = """mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) {
  bulkOperation { id status } userErrors { field message code } } }"""
POLL = """query($id: ID!) { bulkOperation(id: $id) { id status objectCount rootObjectCount fileSize url errorCode } }"""
BULK = "{ products { edges { node { id title variants { edges { node { id sku } } } } } } }"


def test_bulk_query_writes_jsonl_with_children_after_parent(gql, store, deliveries):
    store.seed_shop(SHOP, products=30)
    store.subscribe(SHOP, "BULK_OPERATIONS_FINISH", "https://app.test/hook")
    started = gql(RUN, {"q": BULK}).json()["data"]["bulkOperationRunQuery"]
    assert started["userErrors"] == []
    assert started["bulkOperation"]["status"] == "CREATED"

    op = gql(POLL, {"id": started["bulkOperation"]["id"]}).json()["data"]["bulkOperation"]
    assert op["status"] == "COMPLETED"
    assert op["objectCount"] == "120" and op["rootObjectCount"] == "30"
    download = requests.get(op["url"], timeout=5)
    assert download.status_code == 200
    assert int(op["fileSize"]) == len(download.content)
    lines = [json.loads(line) for line in download.text.splitlines()]
    assert len(lines) == 120
    parent = None
    for line in lines:
        if line["id"].startswith("gid://shopify/Product/"):
            assert "__parentId" not in line and "variants" not in line
            parent = line["id"]
        else:
            assert line["__parentId"] == parent
            assert set(line) == {"id", "sku", "__parentId"}
    finish = [d for d in deliveries if d["headers"]["X-Shopify-Topic"] == "bulk_operations/finish"]
    body = json.loads(finish[0]["body"])
    assert body["admin_graphql_api_id"] == op["id"]
    assert body["status"] == "completed" and body["type"] == "query" and body["error_code"] is None


def test_at_most_five_bulk_operations_run_at_once(gql, store):
    store.seed_shop(SHOP, products=5)
    store.bulk_mode = "manual"
    for _ in range(5):
        assert gql(RUN, {"q": BULK}).json()["data"]["bulkOperationRunQuery"]["userErrors"] == []
    refused = gql(RUN, {"q": BULK}).json()["data"]["bulkOperationRunQuery"]
    assert refused["bulkOperation"] is None
    assert refused["userErrors"][0]["code"] == "LIMIT_REACHED"
    assert store.run_pending_bulk() == 5
    assert gql(RUN, {"q": BULK}).json()["data"]["bulkOperationRunQuery"]["userErrors"] == []


def test_invalid_bulk_query_is_a_user_error(gql):
    refused = gql(RUN, {"q": "{ products { edges { node { nope } } } }"}).json()["data"][
        "bulkOperationRunQuery"
    ]
    assert refused["userErrors"][0]["code"] == "INVALID"


def test_lean_bulk_executor_answers_exactly_what_graphql_core_answers(store):
    import graphql

    from app.demo_store.bulk_exec import LeanExecutor
    from app.demo_store.graphql_api import ROOT, Context, schema
    from app.platforms.shopify.bulk import bulk_products_query

    store.seed_shop(SHOP, products=12)
    store.update_product(3, shop=SHOP, title="Changed", status="DRAFT")
    documents = [
        bulk_products_query(None),
        BULK,
        """query { orders { edges { node { id name createdAt totalPriceSet { shopMoney { amount currencyCode } }
            lineItems { edges { node { id quantity sku variant { id } } } } } } } }""",
        """fragment V on ProductVariant { id price selectedOptions { name value } }
           { products(query: "status:active", sortKey: UPDATED_AT) { edges { node { id
             ... on Product { handle status featuredMedia { __typename ... on MediaImage { image { url } } } }
             variants { edges { node { ...V inventoryItem { id tracked } } } } } } } }""",
    ]
    for document in documents:
        doc = graphql.parse(document)
        make = lambda: Context(store=store, shop=SHOP, base_url="https://x", bulk=True)  # noqa: E731
        expected = graphql.execute(schema(), doc, ROOT, make())
        assert expected.errors is None, expected.errors
        assert LeanExecutor(schema(), doc).run(ROOT, make()) == expected.data
