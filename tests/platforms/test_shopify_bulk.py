import pytest

from app.platforms.errors import ShopifyBulkOperationFailed, ShopifyError
from app.platforms.shopify.bulk import assemble_bulk_products

from .conftest import GRAPHQL_URL, fixture_bytes, load, sent_json

RESULT_URL = load("shopify", "bulk_operation_completed.json")["data"]["bulkOperation"]["url"]


def test_jsonl_products_have_exactly_the_paged_node_shape():
    products = list(assemble_bulk_products(fixture_bytes("shopify", "bulk_products.jsonl").splitlines()))
    paged = load("shopify", "products_page_1.json")["data"]["products"]["nodes"]
    paged += load("shopify", "products_page_2.json")["data"]["products"]["nodes"]
    assert products == paged


def test_child_of_another_parent_means_ungrouped_output():
    lines = [
        b'{"id":"gid://shopify/Product/1"}',
        b'{"id":"gid://shopify/Product/2"}',
        b'{"id":"gid://shopify/ProductVariant/9","__parentId":"gid://shopify/Product/1"}',
    ]
    with pytest.raises(ShopifyError, match="not grouped"):
        list(assemble_bulk_products(lines))


def test_run_poll_and_stream(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "bulk_operation_run.json"))
    rsps.post(GRAPHQL_URL, json=load("shopify", "bulk_operation_running.json"))
    rsps.post(GRAPHQL_URL, json=load("shopify", "bulk_operation_completed.json"))
    rsps.get(RESULT_URL, body=fixture_bytes("shopify", "bulk_products.jsonl"))

    started = shopify.run_bulk_products(query_filter='updated_at:>"2026-01-01"')
    operation = shopify.poll_bulk_operation(started["id"])
    products = list(shopify.iter_bulk_jsonl(operation["url"]))

    run_body = sent_json(rsps.calls[0])
    assert "groupObjects: true" in run_body["query"]
    assert 'products(query: "updated_at:>\\"2026-01-01\\"")' in run_body["variables"]["query"]
    assert "bulkOperation(id: $id)" in sent_json(rsps.calls[1])["query"]
    assert clock.sleeps == [2.0]
    assert [p["id"] for p in products] == ["gid://shopify/Product/8901", "gid://shopify/Product/8902"]
    assert "X-Shopify-Access-Token" not in rsps.calls[3].request.headers


def test_failed_bulk_operation_raises(shopify, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "bulk_operation_failed.json"))
    with pytest.raises(ShopifyBulkOperationFailed, match="FAILED"):
        shopify.poll_bulk_operation("gid://shopify/BulkOperation/720918")


def test_empty_result_has_no_url(shopify):
    assert list(shopify.iter_bulk_jsonl(None)) == []
