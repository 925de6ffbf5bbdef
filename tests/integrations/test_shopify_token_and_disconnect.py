"""Custom-app token connect, disconnect (subscriptions deleted, token forgotten, products kept) and
Shopify's app/uninstalled."""

from __future__ import annotations

import pytest
import responses
from sqlalchemy import select

from app.integrations import service
from app.integrations.clients import IntegrationTokenSource, NeedsReauth
from app.integrations.shopify_connect import WEBHOOK_TOPICS
from app.models import Integration, Product

from .conftest import CUSTOM_TOKEN, GRAPHQL_URL, SHOP, WEBHOOK_URI, load


def connect_with_token(api_client, token: str = CUSTOM_TOKEN):
    return api_client.post(
        "/api/integrations", json={"platform": "shopify", "shop_domain": SHOP, "access_token": token}
    )


def add_products(db, workspace) -> tuple[Product, Product]:
    synced = Product(
        workspace_id=workspace.id,
        title="Linen shirt",
        shopify_product_id="gid://shopify/Product/1",
        platform_sync={
            "shopify": {"synced": True, "product_id": "gid://shopify/Product/1"},
            "facebook": {"x": 1},
        },
    )
    local = Product(workspace_id=workspace.id, title="Local only", platform_sync={})
    db.session.add_all([synced, local])
    db.session.commit()
    return synced, local


def test_custom_app_token_connects_without_refresh(api_client, db, fake_shopify, sync_calls):
    response = connect_with_token(api_client)

    assert response.status_code == 201
    body = response.get_json()["integration"]
    assert body["status"] == "connected"
    assert body["access_token_set"] is True and body["refresh_token_set"] is False
    assert body["token_expires_at"] is None
    assert body["config"]["auth_method"] == "custom_app"
    assert [v["topic"] for v in fake_shopify.ops("WebhookSubscriptionCreate")] == list(WEBHOOK_TOPICS)
    assert {token for _, _, token in fake_shopify.operations} == {CUSTOM_TOKEN}
    integration = db.session.get(Integration, body["id"])
    assert integration.secret("access_token") == CUSTOM_TOKEN and integration.secret("refresh_token") is None
    assert sync_calls == [(integration.id, "full")]


def test_refused_custom_token_stores_nothing(api_client, db, rsps, sync_calls):
    rsps.add(responses.POST, GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))

    response = connect_with_token(api_client, "shpat_wrong")

    assert response.status_code == 422
    assert (
        response.get_json()["error"] == "Shopify no longer accepts our access. Please reconnect your store."
    )
    assert db.session.scalars(select(Integration)).all() == []
    assert sync_calls == []


def test_failed_webhook_registration_removes_what_it_created(api_client, db, fake_shopify, sync_calls):
    fake_shopify.fail_topic = "ORDERS_CREATE"

    response = connect_with_token(api_client)

    assert response.status_code == 422
    assert fake_shopify.subscriptions == {}  # the three created before the failure were deleted again
    assert len(fake_shopify.ops("WebhookSubscriptionDelete")) == 3
    assert db.session.scalars(select(Integration)).all() == [] and sync_calls == []


def test_reconnect_reuses_subscriptions_already_pointing_at_us(api_client, db, fake_shopify, sync_calls):
    fake_shopify.subscriptions["gid://shopify/WebhookSubscription/1"] = {
        "topic": "PRODUCTS_CREATE",
        "uri": WEBHOOK_URI,
    }

    connect_with_token(api_client)

    created = [v["topic"] for v in fake_shopify.ops("WebhookSubscriptionCreate")]
    assert "PRODUCTS_CREATE" not in created and len(created) == len(WEBHOOK_TOPICS) - 1
    integration = db.session.scalars(select(Integration)).one()
    assert integration.config["webhook_subscription_ids"][0] == "gid://shopify/WebhookSubscription/1"


def test_disconnect_deletes_subscriptions_forgets_token_and_keeps_products(
    api_client, db, workspace, fake_shopify, sync_calls
):
    integration_id = connect_with_token(api_client).get_json()["integration"]["id"]
    ids = list(fake_shopify.subscriptions)
    synced, local = add_products(db, workspace)

    response = api_client.post(f"/api/integrations/{integration_id}/disconnect")

    assert response.status_code == 200
    body = response.get_json()["integration"]
    assert body["status"] == "disconnected" and body["access_token_set"] is False
    assert [v["id"] for v in fake_shopify.ops("WebhookSubscriptionDelete")] == ids
    assert fake_shopify.subscriptions == {}
    db.session.expire_all()
    integration = db.session.get(Integration, integration_id)
    assert integration.secrets == {} and integration.config["webhook_subscription_ids"] == []
    assert db.session.get(Product, synced.id).platform_sync == {
        "shopify": {"synced": False, "product_id": "gid://shopify/Product/1"},
        "facebook": {"x": 1},
    }
    assert db.session.get(Product, local.id).platform_sync == {}


def test_app_uninstalled_disconnects_without_calling_shopify(
    api_client, db, workspace, rsps, fake_shopify, sync_calls
):
    integration_id = connect_with_token(api_client).get_json()["integration"]["id"]
    synced, _ = add_products(db, workspace)
    calls_before = len(rsps.calls)

    assert service.handle_app_uninstalled(SHOP) == [integration_id]

    assert len(rsps.calls) == calls_before
    db.session.expire_all()
    integration = db.session.get(Integration, integration_id)
    assert integration.status == "needs_reauth"
    assert "uninstalled" in integration.status_message
    assert integration.secret("access_token") is None
    assert db.session.get(Product, synced.id).platform_sync["shopify"]["synced"] is False
    with pytest.raises(NeedsReauth):
        IntegrationTokenSource(integration_id).get()
    assert len(rsps.calls) == calls_before
    body = api_client.get(f"/api/integrations/{integration_id}").get_json()["integration"]
    assert body["status"] == "needs_reauth" and body["access_token_set"] is False


def test_app_uninstalled_for_an_unknown_shop_does_nothing(db):
    assert service.handle_app_uninstalled("nobody.myshopify.com") == []
