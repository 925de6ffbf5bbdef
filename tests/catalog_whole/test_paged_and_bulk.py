"""The paged and bulk syncs store every media item, variant, line item, fulfillment and refund the shop holds:
a product with 300 media and 2,048 variants, an order with 500 line items, two fulfillments and a partial
refund, compared field by field with the shop."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import OrderItem, ProductMedia, ProductVariant

from .compare import order_differences, product_differences
from .shop import Shop, make_order, make_product, mount

DOMAIN = "whole-shop.myshopify.com"


def _shop() -> Shop:
    big, small, bare = make_product(1, 2048, 300), make_product(2, 1, 1), make_product(3, 1, 0)
    return Shop(DOMAIN, [big, small, bare], [make_order(1001, big, 500)])


def test_paged_sync_stores_every_media_item_variant_and_image(db, workspace, rsps, connect, sync):
    ws, shop = workspace.id, _shop()
    mount(rsps, shop)
    run = sync(connect(DOMAIN))
    assert run.status == "succeeded", run.error
    for node in shop.products:
        assert product_differences(ws, node) == [], node["id"]
    assert shop.calls["ProductMediaPage"] == 2  # 3 on the page, then 200 + 97
    assert shop.calls["ProductVariantsPage"] == 14  # 3 on the page, then 2,045 in pages of 150


def test_paged_orders_sync_stores_every_line_item_fulfillment_and_refund(db, workspace, rsps, connect, sync):
    ws, shop = workspace.id, _shop()
    mount(rsps, shop)
    integration_id = connect(DOMAIN)
    assert sync(integration_id).status == "succeeded"  # the orders run that follows a full sync ran too
    assert order_differences(ws, shop.orders[0]) == []
    before = dict(shop.calls)
    run = sync(integration_id, "orders")
    assert run.status == "succeeded", run.error
    assert order_differences(ws, shop.orders[0]) == []
    assert db.session.scalar(select(func.count()).select_from(OrderItem)) == 500

    def asked(operation: str) -> int:
        return shop.calls[operation] - before.get(operation, 0)

    assert asked("OrderLineItemsPage") == 3  # 50 on the page, then 200 + 200 + 50
    assert asked("OrderShipments") == 1 and asked("RefundLineItemsPage") == 1

    again = sync(integration_id, "orders")  # nothing new: the same rows, nothing doubled
    assert again.status == "succeeded"
    assert order_differences(ws, shop.orders[0]) == []


def test_bulk_sync_stores_every_media_item_variant_and_image(db, workspace, rsps, connect, sync):
    ws, shop = workspace.id, _shop()
    mount(rsps, shop)
    run = sync(connect(DOMAIN), "bulk")
    assert run.status == "succeeded", run.error
    for node in shop.products:
        assert product_differences(ws, node) == [], node["id"]
    assert db.session.scalar(select(func.count()).select_from(ProductMedia)) == 301
    assert db.session.scalar(select(func.count()).select_from(ProductVariant)) == 2050
    # The same run exported every order, line item, fulfillment and refund alongside the products.
    assert order_differences(ws, shop.orders[0]) == []
    assert db.session.scalar(select(func.count()).select_from(OrderItem)) == 500


def test_bulk_sync_keeps_the_variant_images_a_paged_sync_stored(db, workspace, rsps, connect, sync):
    ws, shop = workspace.id, _shop()
    mount(rsps, shop)
    integration_id = connect(DOMAIN)
    assert sync(integration_id).status == "succeeded"
    for p in shop.products:
        p["updatedAt"] = "2026-11-26T10:00:00Z"
        p["title"] += " (new)"
    assert sync(integration_id, "bulk").status == "succeeded"
    for node in shop.products:
        assert product_differences(ws, node) == [], node["id"]


def test_media_the_merchant_removed_or_reordered_are_stored_as_the_shop_has_them(
    db, workspace, rsps, connect, sync
):
    ws, shop = workspace.id, _shop()
    mount(rsps, shop)
    integration_id = connect(DOMAIN)
    assert sync(integration_id).status == "succeeded"
    big = shop.products[0]
    big["media"] = list(reversed(big["media"][:40]))
    for v in big["variants"]:
        v["media"] = {"nodes": [{"id": big["media"][0]["id"]}]} if v["media"]["nodes"] else {"nodes": []}
    big["updatedAt"] = "2026-11-27T10:00:00Z"
    assert sync(integration_id).status == "succeeded"
    assert product_differences(ws, big) == []
