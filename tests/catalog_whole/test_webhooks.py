"""The webhook path stores the whole product and order: products/update with 300 media and 2,048 variants
(re-read by GraphQL when the body lacks the media), orders/updated with 500 line items, fulfillments and a
refund, then fulfillments/update and refunds/create, field by field against the shop."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from app.models import OrderRefund, Product, ProductMedia

from .compare import order_differences, product_differences
from .rest import fulfillment_body, order_body, product_body, refund_body
from .shop import Shop, gid, make_order, make_product, money, mount

SHOP = "demo-shop.myshopify.com"  # the shop `post_shopify` signs for


def _deliver(post_shopify, run_jobs, topic: str, body: dict) -> None:
    assert post_shopify(topic, body).status_code == 200
    run_jobs()


def test_products_update_stores_every_media_item_variant_and_variant_image(
    db, workspace, rsps, connect, post_shopify, run_jobs
):
    ws, big = workspace.id, make_product(1, 2048, 300)
    connect(SHOP)
    _deliver(post_shopify, run_jobs, "products/update", product_body(big))
    assert product_differences(ws, big) == []


def test_a_body_without_the_media_is_re_read_by_graphql(db, workspace, rsps, connect, post_shopify, run_jobs):
    ws, big = workspace.id, make_product(1, 2048, 300)
    shop = Shop(SHOP, [big])
    mount(rsps, shop)
    connect(SHOP)
    _deliver(post_shopify, run_jobs, "products/update", product_body(big, with_media=False))
    assert product_differences(ws, big) == []  # the refresh job read it whole by GraphQL
    assert shop.calls["ProductById"] == 1 and shop.calls["ProductMediaPage"] == 2


def test_orders_and_fulfillment_and_refund_topics_store_the_whole_order(
    db, workspace, rsps, connect, post_shopify, run_jobs
):
    ws, big = workspace.id, make_product(1, 40, 3)
    order = make_order(1001, big, 500)
    connect(SHOP)
    _deliver(post_shopify, run_jobs, "products/update", product_body(big))
    _deliver(post_shopify, run_jobs, "orders/updated", order_body(order))
    assert order_differences(ws, order) == []

    # The carrier changes the second shipment's tracking; a second, partial refund follows.
    changed = copy.deepcopy(order)
    changed["fulfillments"][1]["updatedAt"] = "2026-11-24T08:00:00Z"
    changed["fulfillments"][1]["trackingInfo"] = [
        {"company": "UPS", "number": "1Z999", "url": "https://ups.com/1Z999"}
    ]
    changed["refunds"].append({"id": gid("Refund", 10012), "createdAt": "2026-11-25T12:00:00Z", "note": None,
                               "totalRefundedSet": money("19.99"),
                               "refundLineItems": [{"lineItem": {"id": order["lineItems"][9]["id"]}, "quantity": 1,
                                                    "subtotalSet": money("19.99")}]})  # fmt: skip
    _deliver(
        post_shopify, run_jobs, "fulfillments/update", fulfillment_body(changed, changed["fulfillments"][1])
    )
    _deliver(post_shopify, run_jobs, "refunds/create", refund_body(changed, changed["refunds"][1]))
    assert order_differences(ws, changed) == []

    # Redelivered, and an older version of the fulfillment: nothing changes.
    _deliver(post_shopify, run_jobs, "refunds/create", refund_body(changed, changed["refunds"][1]))
    _deliver(post_shopify, run_jobs, "fulfillments/update", fulfillment_body(order, order["fulfillments"][1]))
    assert order_differences(ws, changed) == []
    assert db.session.scalar(select(func.count()).select_from(OrderRefund)) == 2


def test_a_fulfillment_of_an_order_not_synced_yet_is_skipped_and_comes_with_its_order(
    db, workspace, rsps, connect, post_shopify, run_jobs
):
    ws, big = workspace.id, make_product(1, 4, 3)
    order = make_order(1002, big, 3)
    connect(SHOP)
    _deliver(post_shopify, run_jobs, "fulfillments/create", fulfillment_body(order, order["fulfillments"][0]))
    _deliver(post_shopify, run_jobs, "products/update", product_body(big))
    _deliver(post_shopify, run_jobs, "orders/updated", order_body(order))
    assert order_differences(ws, order) == []


def test_images_carried_by_a_body_keep_showing_the_first_image(
    db, workspace, rsps, connect, post_shopify, run_jobs
):
    ws, big = workspace.id, make_product(1, 3, 12)
    connect(SHOP)
    _deliver(post_shopify, run_jobs, "products/update", product_body(big))
    product = db.session.scalars(select(Product).where(Product.workspace_id == ws)).one()
    assert product.images[0]["url"] == big["media"][0]["image"]["url"]
    assert db.session.scalar(select(func.count()).select_from(ProductMedia)) == 12
