"""Connecting a shop stores the location inventory write-backs go to (`config["location_id"]`), read with
`locations(first: 1) { nodes { id } }`, from the fake Admin API and from the demo store's real schema."""

from __future__ import annotations

import json

import pytest
import responses

from app.demo_store import DemoStore
from app.demo_store.catalog import LOCATION_ID
from app.demo_store.testing import mount_on_responses
from app.models import Integration

from .conftest import CUSTOM_TOKEN, GRAPHQL_URL, SHOP, load

DEMO_SHOP = "location-demo.myshopify.com"
DEMO_TOKEN = "shpat_location_demo_token"


def connect(api_client, shop: str = SHOP, token: str = CUSTOM_TOKEN):
    return api_client.post(
        "/api/integrations", json={"platform": "shopify", "shop_domain": shop, "access_token": token}
    )


def test_connect_stores_the_first_location(api_client, db, fake_shopify, sync_calls):
    response = connect(api_client)
    assert response.status_code == 201
    assert fake_shopify.ops("FirstLocation") == [{}]
    integration = db.session.get(Integration, response.get_json()["integration"]["id"])
    assert integration.config["location_id"] == "gid://shopify/Location/346779380"


def test_unreadable_locations_do_not_block_the_connect(api_client, db, rsps, sync_calls):
    fake_answers = {
        "Shop": load("shopify", "shop.json"),
        "FirstLocation": load("shopify", "locations_access_denied.json"),
        "WebhookSubscriptions": load("shopify", "integrations_webhook_subscriptions_empty.json"),
    }

    def answer(request):
        query = json.loads(request.body)["query"]
        for op, payload in fake_answers.items():
            if f"query {op}" in query:
                return 200, {}, json.dumps(payload)
        created = load("shopify", "webhook_subscription_create.json")
        return 200, {}, json.dumps(created)

    rsps.add_callback(responses.POST, GRAPHQL_URL, callback=answer)
    response = connect(api_client)
    assert response.status_code == 201, response.get_json()
    integration = db.session.get(Integration, response.get_json()["integration"]["id"])
    assert integration.status == "connected" and "location_id" not in integration.config


@pytest.fixture
def demo_store(tmp_path):
    store = DemoStore(":memory:", default_products=3, default_orders=0, bulk_dir=str(tmp_path / "bulk"),
                      deliver=lambda url, body, headers: None)  # fmt: skip
    store.seed_shop(DEMO_SHOP)
    store.add_custom_token(DEMO_SHOP, DEMO_TOKEN)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount_on_responses(rsps, store)
        yield store
    store.db.close()


def test_connect_to_the_demo_store_stores_its_location(api_client, db, demo_store, sync_calls):
    response = connect(api_client, DEMO_SHOP, DEMO_TOKEN)
    assert response.status_code == 201, response.get_json()
    integration = db.session.get(Integration, response.get_json()["integration"]["id"])
    assert integration.config["location_id"] == f"gid://shopify/Location/{LOCATION_ID}"
