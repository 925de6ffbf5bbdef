"""Fixtures for platform tests: fixture files, a fake clock whose sleep only advances time, clients."""

import json
from pathlib import Path

import pytest
import responses

from app.config import TestConfig
from app.platforms.http import RetryPolicy
from app.platforms.shopify.client import ShopifyClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOP = "casa-nova.myshopify.com"
# The versions the app is configured with: clients take them as required keywords, the config is the one place.
SHOPIFY_VERSION = TestConfig.SHOPIFY_API_VERSION
GRAPH_VERSION = TestConfig.META_GRAPH_VERSION
GRAPHQL_URL = f"https://{SHOP}/admin/api/{SHOPIFY_VERSION}/graphql.json"
GRAPH_BASE = f"https://graph.facebook.com/{GRAPH_VERSION}"
NO_JITTER = RetryPolicy(rand=lambda: 0.0)


def load(kind: str, name: str):
    return json.loads((FIXTURES / kind / name).read_text())


def fixture_bytes(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


class FakeClock:
    """`clock()` returns fake seconds; `sleep(s)` records s and advances the clock. Nothing really sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def shopify(clock):
    return ShopifyClient(
        SHOP, "shpat_test", api_version=SHOPIFY_VERSION, sleep=clock.sleep, clock=clock, policy=NO_JITTER
    )


def sent_json(call) -> dict:
    return json.loads(call.request.body)
