"""OAuth as Shopify does it in 2026: signed consent redirect, expiring offline tokens, rotating refresh."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlsplit

import requests

from .conftest import API_KEY, API_SECRET, SHOP

INVALID = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"


def _authorize(web) -> dict:
    response = web.get(f"/demo-store/{SHOP}/admin/oauth/authorize", query_string={
        "client_id": API_KEY, "scope": "read_products,write_inventory",
        "redirect_uri": "https://app.test/shopify/callback", "state": "nonce-123"})  # fmt: skip
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://app.test/shopify/callback"
    return dict(parse_qsl(location.query))


def test_authorize_redirect_carries_a_valid_hmac(web, clock):
    params = _authorize(web)
    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert params["shop"] == SHOP and params["state"] == "nonce-123"
    assert params["timestamp"] == str(int(clock()))
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    assert hmac.compare_digest(
        params["hmac"], hmac.new(API_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    )


def test_authorize_refuses_unknown_client(web):
    response = web.get(f"/demo-store/{SHOP}/admin/oauth/authorize",
                       query_string={"client_id": "nope", "redirect_uri": "https://app.test/cb"})  # fmt: skip
    assert response.status_code == 400


def _exchange(code: str) -> requests.Response:
    return requests.post(TOKEN_URL, data={"client_id": API_KEY, "client_secret": API_SECRET, "code": code,
                                          "expiring": "1"}, timeout=5)  # fmt: skip


def test_expiring_token_expires_and_refresh_rotates_both(web, shopify, gql, clock):
    response = _exchange(_authorize(web)["code"])
    assert response.status_code == 200
    grant = response.json()
    assert set(grant) == {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "scope"}
    assert grant["expires_in"] == 3600 and grant["refresh_token_expires_in"] == 7_776_000
    assert grant["scope"] == "read_products,write_inventory"
    shop_query = "{ shop { name myshopifyDomain } }"
    assert gql(shop_query, token=grant["access_token"]).status_code == 200

    clock.advance(3601)
    expired = gql(shop_query, token=grant["access_token"])
    assert expired.status_code == 401
    assert expired.json() == INVALID

    refresh = {"client_id": API_KEY, "client_secret": API_SECRET, "grant_type": "refresh_token",
               "refresh_token": grant["refresh_token"]}  # fmt: skip
    rotated = requests.post(TOKEN_URL, data=refresh, timeout=5).json()
    assert rotated["access_token"] != grant["access_token"]
    assert rotated["refresh_token"] != grant["refresh_token"]
    assert gql(shop_query, token=rotated["access_token"]).json()["data"]["shop"]["myshopifyDomain"] == SHOP

    reused = requests.post(TOKEN_URL, data=refresh, timeout=5)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_code_is_single_use(web, shopify):
    code = _authorize(web)["code"]
    assert _exchange(code).status_code == 200
    assert _exchange(code).status_code == 400


def test_custom_shpat_token_never_expires(gql, clock):
    clock.advance(10 * 365 * 86400)
    assert gql("{ shop { name } }").status_code == 200


def test_unknown_token_is_401_with_shopify_body(gql):
    response = gql("{ shop { name } }", token="shpat_unknown")
    assert response.status_code == 401
    assert response.json() == INVALID
