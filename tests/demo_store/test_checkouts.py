"""Checkouts in the demo store: the checkouts/* webhook bodies in Shopify's REST shape, the abandonedCheckouts
connection paged through against the real schema, and a completed checkout's order naming it."""

from __future__ import annotations

import json

from app.platforms.shopify.client import ShopifyClient
from app.sync.checkout_mapping import checkout_from_graphql, checkout_from_rest
from app.sync.mapping import order_from_rest

from .conftest import SHOP, TOKEN


def _bodies(deliveries, topic):
    return [json.loads(d["body"]) for d in deliveries if d["headers"]["X-Shopify-Topic"] == topic]


def test_checkout_webhooks_carry_the_rest_body_and_the_order_names_its_checkout(store, deliveries, clock):
    store.subscribe(SHOP, "checkouts/create", "https://app.example/api/webhooks/shopify")
    store.subscribe(SHOP, "checkouts/update", "https://app.example/api/webhooks/shopify")
    store.subscribe(SHOP, "orders/create", "https://app.example/api/webhooks/shopify")
    checkout = store.create_checkout([(3, 0, 2)], shop=SHOP, phone="+351912345678", name="Ana Lima",
                                     accepts_sms=True)  # fmt: skip
    clock.advance(60)
    store.update_checkout(checkout["id"], shop=SHOP, lines=[(3, 0, 1), (4, 1, 1)])
    clock.advance(60)
    order = store.complete_checkout(checkout["id"], shop=SHOP)
    (created,) = _bodies(deliveries, "checkouts/create")
    first, completed = _bodies(deliveries, "checkouts/update")
    assert created["token"] == checkout["token"] and created["abandoned_checkout_url"].startswith(
        f"https://{SHOP}/"
    )
    assert created["completed_at"] is None and completed["completed_at"] is not None
    assert [line["quantity"] for line in first["line_items"]] == [1, 1]
    record = checkout_from_rest(first)
    assert record["shopify_checkout_id"] == f"gid://shopify/AbandonedCheckout/{checkout['id']}"
    assert record["customer_phone"] == "+351912345678" and record["item_count"] == 2
    assert record["sms_marketing_consent"]["state"] == "subscribed"
    assert record["last_activity_at"] > checkout_from_rest(created)["last_activity_at"]
    (placed,) = _bodies(deliveries, "orders/create")
    mapped = order_from_rest(placed)
    assert (mapped["checkout_token"], mapped["checkout_id"]) == (
        checkout["token"],
        record["shopify_checkout_id"],
    )
    assert placed["id"] == order["id"]


def test_abandoned_checkouts_query_pages_through_every_checkout(store, shopify):
    store.throttle.configure(SHOP, off=True)
    made = [store.create_checkout([(i, 0, 1)], shop=SHOP, phone=f"+3519100000{i:02d}", fire=False)
            for i in range(7)]  # fmt: skip
    store.create_checkout(
        [(9, 0, 1)], shop=SHOP, email=None, phone=None, fire=False
    )  # no contact: not listed
    client = ShopifyClient(SHOP, TOKEN, api_version="2026-10")
    pages = list(client.iter_abandoned_checkout_pages(page_size=3))
    assert [len(p.nodes) for p in pages] == [3, 3, 1]
    records = [checkout_from_graphql(n) for p in pages for n in p.nodes]
    assert [r["shopify_checkout_id"] for r in records] == [
        f"gid://shopify/AbandonedCheckout/{c['id']}" for c in made
    ]
    assert all(r["recovery_url"] and r["customer_phone"] and r["total_price"] for r in records)
