import pytest

from app.platforms.meta_catalog import (
    MetaCatalogClient,
    catalog_delete_requests,
    format_price,
    product_to_catalog_items,
    retailer_id_for,
)

from .conftest import GRAPH_BASE, GRAPH_VERSION, NO_JITTER, load, sent_json

CATALOG = "1234567890123456"
BASE = GRAPH_BASE


@pytest.fixture
def catalog(clock):
    return MetaCatalogClient(
        "EAAG-token", version=GRAPH_VERSION, sleep=clock.sleep, clock=clock, policy=NO_JITTER
    )


def test_items_batch_is_chunked_at_5000(catalog, rsps):
    for _ in range(3):
        rsps.post(f"{BASE}/{CATALOG}/items_batch", json=load("meta", "items_batch.json"))
    requests_ = catalog_delete_requests(f"variant-{i}" for i in range(12001))
    handles = catalog.items_batch(CATALOG, requests_)
    sizes = [len(sent_json(c)["requests"]) for c in rsps.calls]
    assert sizes == [5000, 5000, 2001]
    assert all(sent_json(c)["item_type"] == "PRODUCT_ITEM" for c in rsps.calls)
    assert len(handles) == 3


def test_smaller_chunks_on_request(catalog, rsps):
    rsps.post(f"{BASE}/{CATALOG}/items_batch", json=load("meta", "items_batch.json"))
    rsps.post(f"{BASE}/{CATALOG}/items_batch", json=load("meta", "items_batch.json"))
    catalog.items_batch(CATALOG, catalog_delete_requests(["a", "b", "c"]), chunk_size=2)
    assert [len(sent_json(c)["requests"]) for c in rsps.calls] == [2, 1]


def test_check_batch_status(catalog, rsps):
    rsps.get(f"{BASE}/{CATALOG}/check_batch_request_status", json=load("meta", "batch_status.json"))
    status = catalog.check_batch_status(CATALOG, "AczV")
    assert status["status"] == "finished" and status["errors_total_count"] == 0
    assert "handle=AczV" in rsps.calls[0].request.url


def test_get_catalog(catalog, rsps):
    rsps.get(f"{BASE}/{CATALOG}", json=load("meta", "catalog.json"))
    assert catalog.get_catalog(CATALOG)["name"] == "Casa Nova Catalog"


def test_retailer_ids_are_stable():
    assert retailer_id_for("gid://shopify/ProductVariant/44001") == "variant-44001"
    assert retailer_id_for(44001) == "variant-44001"
    assert retailer_id_for("gid://shopify/Product/8901") == "product-8901"
    with pytest.raises(ValueError):
        retailer_id_for("abc")


def test_price_format():
    assert format_price("49", "usd") == "49.00 USD"
    assert format_price("19.995", "EUR") == "20.00 EUR"


def test_product_to_catalog_items_per_variant():
    product = {
        "id": "gid://shopify/Product/8901",
        "title": "Linen Shirt",
        "description": "<p>Breathable <strong>linen</strong> &amp; cool.</p>",
        "currency": "USD",
        "link": "https://casa-nova.example/products/linen-shirt",
        "image_url": "https://cdn.shopify.com/linen.jpg",
        "brand": "Casa Nova",
        "variants": [
            {
                "id": "gid://shopify/ProductVariant/44001",
                "title": "S / White",
                "price": "49.00",
                "compare_at_price": "59.00",
                "available": 7,
            },
            {
                "id": "gid://shopify/ProductVariant/44002",
                "title": "M / White",
                "price": "49.00",
                "available": 0,
            },
        ],
    }
    first, second = product_to_catalog_items(product)
    assert first == {
        "method": "UPDATE",
        "data": {
            "id": "variant-44001",
            "title": "Linen Shirt - S / White",
            "description": "Breathable linen & cool.",
            "availability": "in stock",
            "condition": "new",
            "price": "59.00 USD",
            "sale_price": "49.00 USD",
            "link": "https://casa-nova.example/products/linen-shirt",
            "image_link": "https://cdn.shopify.com/linen.jpg",
            "brand": "Casa Nova",
            "item_group_id": "product-8901",
        },
    }
    assert second["data"]["availability"] == "out of stock"
    assert "sale_price" not in second["data"]


def test_untracked_stock_is_in_stock_and_description_falls_back_to_title():
    (item,) = product_to_catalog_items(
        {
            "id": "gid://shopify/Product/1",
            "title": "Gift card",
            "price": "10",
            "currency": "USD",
            "available": None,
        }
    )
    assert item["data"]["availability"] == "in stock"
    assert item["data"]["description"] == "Gift card"
    assert item["data"]["id"] == "product-1"
