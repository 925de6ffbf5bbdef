"""Shopify OAuth from the Connect button to a connected integration, and every way a callback is refused."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import responses
from sqlalchemy import select, text

from app.integrations.shopify_connect import WEBHOOK_TOPICS
from app.models import Integration, OAuthState
from app.models.types import utcnow
from app.platforms.signatures import sign_shopify_query
from tests.conftest import log_in

from .conftest import SHOP, TOKEN_URL, WEBHOOK_URI, csrf_token, load

SECRET = "test-api-secret"  # TestConfig.SHOPIFY_API_SECRET
TOKENS = load("shopify", "oauth_access_token_expiring.json")


def start_oauth(client, shop: str = SHOP) -> str:
    """Press Connect with a store address and no token; return the `state` of the authorize URL."""
    token = csrf_token(client)
    response = client.post("/integrations/shopify/connect", data={"csrf_token": token, "shop_domain": shop})
    assert response.status_code == 302
    url = urlparse(response.headers["Location"])
    assert (url.scheme, url.netloc, url.path) == ("https", SHOP, "/admin/oauth/authorize")
    query = parse_qs(url.query)
    assert query["client_id"] == ["test-api-key"]
    assert query["redirect_uri"] == ["http://app.test/integrations/shopify/callback"]
    assert "read_products" in query["scope"][0]
    return query["state"][0]


def callback_params(state: str, **overrides) -> dict:
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvY2FzYS1ub3Zh",
        "shop": SHOP,
        "state": state,
        "timestamp": str(int(time.time())),
    }
    params.update(overrides)
    params["hmac"] = sign_shopify_query(SECRET, params)
    return params


def connected(db) -> list[Integration]:
    db.session.expire_all()
    return db.session.scalars(select(Integration).where(Integration.status == "connected")).all()


def test_oauth_from_redirect_to_connected_integration(auth_client, db, rsps, fake_shopify, sync_calls):
    rsps.add(responses.POST, TOKEN_URL, json=TOKENS)
    state = start_oauth(auth_client)

    response = auth_client.get("/integrations/shopify/callback?" + urlencode(callback_params(state)))

    assert response.status_code == 302
    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shopify store Casa Nova connected." in page
    exchange = [c for c in rsps.calls if c.request.url == TOKEN_URL]
    assert len(exchange) == 1
    sent = json.loads(exchange[0].request.body)
    assert sent["expiring"] == 1
    assert sent["code"] == "0907a61c0c8d55e99db179b68161bc00"
    assert sent["client_id"] == "test-api-key"
    # The new token proved itself with `shop { name }` before anything else.
    assert fake_shopify.operations[0][0] == "Shop"
    assert fake_shopify.operations[0][2] == TOKENS["access_token"]
    created = fake_shopify.ops("WebhookSubscriptionCreate")
    assert [v["topic"] for v in created] == list(WEBHOOK_TOPICS)
    assert {v["uri"] for v in created} == {WEBHOOK_URI}

    [integration] = connected(db)
    assert integration.account_id == SHOP
    assert integration.display_name == "Casa Nova"
    assert integration.secret("access_token") == TOKENS["access_token"]
    assert integration.secret("refresh_token") == TOKENS["refresh_token"]
    assert abs(integration.token_expires_at - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)
    assert abs(integration.refresh_token_expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)
    assert integration.config["webhook_subscription_ids"] == list(fake_shopify.subscriptions)
    assert integration.config["auth_method"] == "oauth"
    assert sync_calls == [(integration.id, "full")]
    raw = db.session.execute(text("SELECT secrets FROM integration")).scalar_one()
    assert TOKENS["access_token"] not in raw and TOKENS["refresh_token"] not in raw
    assert db.session.scalars(select(OAuthState)).one().used_at is not None


def _tamper(kind: str, state: str) -> dict:
    if kind == "state":
        return callback_params("not-the-state-we-issued")
    if kind == "hmac":
        params = callback_params(state)
        params["code"] = "another-code"  # signed params changed after signing
        return params
    if kind == "foreign_shop_domain":
        return callback_params(state, shop="casa-nova.evil.example.com")
    if kind == "other_shop":
        return callback_params(state, shop="other-store.myshopify.com")
    if kind == "old_timestamp":
        return callback_params(state, timestamp=str(int(time.time()) - 3600))
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["state", "hmac", "foreign_shop_domain", "other_shop", "old_timestamp"])
def test_rejected_callback_connects_nothing_and_never_exchanges_the_code(
    kind, auth_client, db, rsps, fake_shopify, sync_calls
):
    rsps.add(responses.POST, TOKEN_URL, json=TOKENS)
    state = start_oauth(auth_client)

    response = auth_client.get("/integrations/shopify/callback?" + urlencode(_tamper(kind, state)))

    assert response.status_code == 302
    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We could not verify the Shopify sign-in" in page
    assert not [c for c in rsps.calls if c.request.url == TOKEN_URL]
    assert fake_shopify.operations == []
    assert connected(db) == []
    assert db.session.scalars(select(Integration)).all() == []
    assert sync_calls == []


def test_failed_token_exchange_connects_nothing(auth_client, db, rsps, fake_shopify, sync_calls):
    rsps.add(
        responses.POST, TOKEN_URL, status=400, json=load("shopify", "integrations_oauth_invalid_code.json")
    )
    state = start_oauth(auth_client)

    response = auth_client.get("/integrations/shopify/callback?" + urlencode(callback_params(state)))

    page = auth_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shopify rejected the request" in page
    assert connected(db) == [] and fake_shopify.operations == [] and sync_calls == []


def test_a_state_is_spent_by_its_first_callback(auth_client, db, rsps, fake_shopify, sync_calls):
    rsps.add(responses.POST, TOKEN_URL, json=TOKENS)
    state = start_oauth(auth_client)
    params = callback_params(state)
    auth_client.get("/integrations/shopify/callback?" + urlencode(params))

    replay = auth_client.get("/integrations/shopify/callback?" + urlencode(params))

    assert "We could not verify" in auth_client.get(replay.headers["Location"]).get_data(as_text=True)
    assert len([c for c in rsps.calls if c.request.url == TOKEN_URL]) == 1


def test_another_workspace_cannot_finish_my_oauth(auth_client, make_user, app, db, rsps, fake_shopify):
    rsps.add(responses.POST, TOKEN_URL, json=TOKENS)
    state = start_oauth(auth_client)
    stranger = app.test_client()
    other = make_user("stranger@example.com")
    log_in(stranger, other)

    stranger.get("/integrations/shopify/callback?" + urlencode(callback_params(state)))

    assert connected(db) == []
    assert not [c for c in rsps.calls if c.request.url == TOKEN_URL]


def test_needs_reauth_store_reconnects_through_oauth(
    auth_client, db, workspace, rsps, fake_shopify, sync_calls
):
    integration = Integration(
        workspace_id=workspace.id, platform="shopify", account_id=SHOP, status="needs_reauth", config={}
    )
    db.session.add(integration)
    db.session.commit()
    rsps.add(responses.POST, TOKEN_URL, json=TOKENS)
    page = auth_client.get("/integrations").get_data(as_text=True)
    assert f"/integrations/{integration.id}/reconnect" in page

    response = auth_client.post(
        f"/integrations/{integration.id}/reconnect",
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )
    state = parse_qs(urlparse(response.headers["HX-Redirect"]).query)["state"][0]
    auth_client.get("/integrations/shopify/callback?" + urlencode(callback_params(state)))

    assert [row.id for row in connected(db)] == [integration.id]
