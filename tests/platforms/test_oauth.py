from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from app.platforms.errors import ShopifyOAuthError, ShopifyTokenRefused
from app.platforms.oauth import ShopifyOAuth, build_authorize_url, normalize_shop_domain, validate_callback
from app.platforms.signatures import sign_shopify_query

from .conftest import NO_JITTER, SHOP, load, sent_json

SECRET = "hush"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"


def callback(**overrides):
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "host": "Y2FzYS1ub3ZhLm15c2hvcGlmeS5jb20vYWRtaW4",
        "shop": SHOP,
        "state": "state-1",
        "timestamp": str(int((NOW - timedelta(seconds=30)).timestamp())),
    }
    params.update(overrides)
    params["hmac"] = sign_shopify_query(SECRET, params)
    return params


def validate(params, state="state-1"):
    return validate_callback(params, client_secret=SECRET, expected_state=state, now=lambda: NOW)


def test_authorize_url_carries_client_scope_redirect_and_fresh_state():
    url, state = build_authorize_url(SHOP, "client-1", ["read_products", "write_inventory"], "https://app/cb")
    parsed = urlparse(url)
    assert parsed.netloc == SHOP and parsed.path == "/admin/oauth/authorize"
    query = parse_qs(parsed.query)
    assert query["client_id"] == ["client-1"] and query["state"] == [state]
    assert query["scope"] == ["read_products,write_inventory"] and query["redirect_uri"] == ["https://app/cb"]
    assert len(state) >= 32


def test_good_callback_returns_the_shop():
    assert validate(callback()) == SHOP


def test_wrong_state_is_rejected():
    with pytest.raises(ShopifyOAuthError, match="state"):
        validate(callback(), state="other-state")


def test_bad_hmac_is_rejected():
    params = callback()
    params["code"] = "tampered"
    with pytest.raises(ShopifyOAuthError, match="hmac"):
        validate(params)


def test_old_timestamp_is_rejected():
    old = str(int((NOW - timedelta(minutes=10)).timestamp()))
    with pytest.raises(ShopifyOAuthError, match="timestamp"):
        validate(callback(timestamp=old))


@pytest.mark.parametrize(
    "shop", ["evil.com", "shop.myshopify.com.evil.com", "-x.myshopify.com", "a.b.myshopify.com", "", None]
)
def test_foreign_hostnames_are_rejected(shop):
    with pytest.raises(ShopifyOAuthError):
        normalize_shop_domain(shop)


def test_callback_from_foreign_shop_is_rejected_even_when_signed():
    with pytest.raises(ShopifyOAuthError):
        validate(callback(shop="shop.myshopify.com.evil.com"))


def oauth_client():
    return ShopifyOAuth("client-1", SECRET, now=lambda: NOW, policy=NO_JITTER, sleep=lambda s: None)


def test_code_exchange_asks_for_expiring_token_and_parses_it(rsps):
    rsps.post(TOKEN_URL, json=load("shopify", "oauth_access_token_expiring.json"))
    tokens = oauth_client().exchange_code(SHOP, "the-code")
    assert sent_json(rsps.calls[0]) == {
        "client_id": "client-1",
        "client_secret": SECRET,
        "code": "the-code",
        "expiring": 1,
    }
    assert tokens.access_token.startswith("shpat_") and tokens.refresh_token.startswith("shprt_")
    assert tokens.expires_in == 3600 and tokens.refresh_token_expires_in == 7776000
    assert tokens.access_token_expires_at == NOW + timedelta(hours=1)
    assert tokens.refresh_token_expires_at == NOW + timedelta(days=90)
    assert tokens.access_token_expires_at.tzinfo is not None


def test_refresh_rotates_both_tokens(rsps):
    rsps.post(TOKEN_URL, json=load("shopify", "oauth_refresh.json"))
    tokens = oauth_client().refresh_access_token(SHOP, "shprt_old")
    body = sent_json(rsps.calls[0])
    assert body["grant_type"] == "refresh_token" and body["refresh_token"] == "shprt_old"
    assert tokens.access_token == "shpat_new0000000000000000000000000000"
    assert tokens.refresh_token == "shprt_new0000000000000000000000000000"


def test_invalid_grant_is_token_refused_and_not_retried(rsps):
    rsps.post(TOKEN_URL, status=400, json=load("shopify", "oauth_invalid_grant.json"))
    with pytest.raises(ShopifyTokenRefused) as info:
        oauth_client().refresh_access_token(SHOP, "shprt_old")
    assert len(rsps.calls) == 1
    assert "reconnect" in info.value.merchant_message


def test_token_url_follows_the_base_template(rsps):
    client = ShopifyOAuth(
        "c", SECRET, base_url_template="http://127.0.0.1:9100/demo-store/{shop}", now=lambda: NOW
    )
    rsps.post(
        f"http://127.0.0.1:9100/demo-store/{SHOP}/admin/oauth/access_token",
        json=load("shopify", "oauth_refresh.json"),
    )
    assert client.exchange_code(SHOP, "c").access_token
