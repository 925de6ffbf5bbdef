"""Fixtures for the demo store: an in-memory store on a fake clock, reached through `requests` (mounted with
`responses`, no server) or a Flask test client. Webhook deliveries are captured, not sent."""

from __future__ import annotations

import pytest
import responses

from app.demo_store import DemoStore, create_standalone_app
from app.demo_store.testing import mount_on_responses

SHOP = "demo-store.myshopify.com"
TOKEN = "shpat_test_custom_token"
API_KEY = "test-api-key"
API_SECRET = "test-api-secret"
GRAPHQL_URL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
# 2026-11-01T00:00:00Z: later than every generated timestamp, as a real "now" would be.
START = 1_793_491_200.0


class FakeClock:
    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def deliveries():
    return []


@pytest.fixture
def store(clock, deliveries, tmp_path):
    demo = DemoStore(
        ":memory:",
        api_key=API_KEY,
        api_secret=API_SECRET,
        clock=clock,
        default_products=1000,
        default_orders=12,
        bulk_mode="sync",
        deliver=lambda url, body, headers: deliveries.append({"url": url, "body": body, "headers": headers}),
        bulk_dir=str(tmp_path / "bulk"),
    )
    demo.seed_shop(SHOP)
    demo.add_custom_token(SHOP, TOKEN)
    yield demo
    demo.db.close()


@pytest.fixture
def shopify(store):
    """`requests` calls to https://<shop>.myshopify.com go to the demo store, in-process."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount_on_responses(rsps, store)
        yield rsps


@pytest.fixture
def web(store):
    return create_standalone_app(store).test_client()


@pytest.fixture
def gql(shopify):
    """POST a GraphQL document with the custom token through `requests`; returns the Response."""
    import requests

    def call(query: str, variables: dict | None = None, token: str = TOKEN, shop: str = SHOP):
        url = f"https://{shop}/admin/api/2026-10/graphql.json"
        return requests.post(url, json={"query": query, "variables": variables or {}},
                             headers={"X-Shopify-Access-Token": token}, timeout=5)  # fmt: skip

    return call


AWKWARD_SHOP = "awkward-store.myshopify.com"


@pytest.fixture
def awkward(store):
    """The awkward catalog in a shop of its own (unthrottled unless a test turns the bucket back on)."""
    store.seed_shop(AWKWARD_SHOP, catalog="awkward")
    store.add_custom_token(AWKWARD_SHOP, TOKEN)
    store.throttle.configure(AWKWARD_SHOP, off=True)
    return store


@pytest.fixture
def agql(gql, awkward):
    """`gql` against the awkward shop; returns the decoded body and fails on any GraphQL error."""

    def call(query: str, variables: dict | None = None) -> dict:
        body = gql(query, variables, shop=AWKWARD_SHOP).json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    return call
