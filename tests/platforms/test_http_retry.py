"""The shared retry policy, exercised through ShopifyClient and a bare transport."""

import pytest
import requests

from app.platforms.errors import PlatformUnavailable, ShopifyAuthError, ShopifyUnavailable
from app.platforms.http import HttpTransport, RetryPolicy, parse_retry_after

from .conftest import GRAPHQL_URL, load


def test_5xx_then_success_backs_off_one_then_two_seconds(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, status=502)
    rsps.post(GRAPHQL_URL, status=503)
    rsps.post(GRAPHQL_URL, json=load("shopify", "shop.json"))
    assert shopify.get_shop()["name"] == "Casa Nova"
    assert clock.sleeps == [1.0, 2.0]


def test_429_honours_retry_after(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, status=429, headers={"Retry-After": "3"})
    rsps.post(GRAPHQL_URL, json=load("shopify", "shop.json"))
    shopify.get_shop()
    assert clock.sleeps == [3.0]


def test_gives_up_after_three_retries_with_a_clear_error(shopify, clock, rsps):
    for _ in range(4):
        rsps.post(GRAPHQL_URL, status=500)
    with pytest.raises(ShopifyUnavailable) as info:
        shopify.get_shop()
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert len(rsps.calls) == 4
    assert "after 4 attempts" in str(info.value) and "HTTP 500" in str(info.value)
    assert info.value.attempts == 4 and info.value.retryable
    assert "try again" in info.value.merchant_message


def test_connection_errors_and_timeouts_are_retried(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, body=requests.ConnectionError("reset"))
    rsps.post(GRAPHQL_URL, body=requests.Timeout("slow"))
    rsps.post(GRAPHQL_URL, json=load("shopify", "shop.json"))
    shopify.get_shop()
    assert clock.sleeps == [1.0, 2.0]


def test_auth_errors_are_not_retried(shopify, clock, rsps):
    rsps.post(GRAPHQL_URL, status=403, json={"errors": "Forbidden"})
    with pytest.raises(ShopifyAuthError):
        shopify.get_shop()
    assert len(rsps.calls) == 1 and clock.sleeps == []


def test_jitter_adds_up_to_a_quarter(rsps, clock):
    transport = HttpTransport(platform="X", policy=RetryPolicy(rand=lambda: 1.0), sleep=clock.sleep)
    rsps.get("https://example.test/x", status=503)
    rsps.get("https://example.test/x", status=200)
    assert transport.request("GET", "https://example.test/x").status_code == 200
    assert clock.sleeps == [1.25]


def test_retry_after_longer_than_we_wait_gives_up_at_once(rsps, clock):
    transport = HttpTransport(platform="X", sleep=clock.sleep)
    rsps.get("https://example.test/x", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(PlatformUnavailable) as info:
        transport.request("GET", "https://example.test/x?access_token=secret")
    assert info.value.retry_after == 3600 and clock.sleeps == []
    assert "secret" not in str(info.value)


def test_parse_retry_after_accepts_seconds_and_dates():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
