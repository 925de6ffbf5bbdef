"""Fixtures for the integrations tests: a fake Shopify Admin API and token endpoint on `responses`,
Graph API URLs, CSRF tokens for page posts, a recorder standing in for the sync service, and `intruder`: a
second merchant's workspace with an API client and a logged-in page client."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import responses

from app.services import accounts
from tests.conftest import log_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOP = "casa-nova.myshopify.com"
GRAPHQL_URL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"
GRAPH = "https://graph.facebook.com/v25.0"
WEBHOOK_URI = "http://app.test/api/webhooks/shopify"
CUSTOM_TOKEN = "shpat_custom0000000000000000000000001"


def load(kind: str, name: str):
    return json.loads((FIXTURES / kind / name).read_text())


class FakeShopify:
    """Answers the Admin GraphQL documents the connect flow sends, keeping webhook subscriptions in memory."""

    def __init__(self, rsps: responses.RequestsMock, valid_tokens: set[str] | None = None):
        self.valid_tokens = valid_tokens  # None: any token works
        self.subscriptions: dict[str, dict] = {}
        self.operations: list[tuple[str, dict, str]] = []
        self.fail_topic: str | None = None
        self._next = 4759300
        rsps.add_callback(responses.POST, GRAPHQL_URL, callback=self._answer)

    def ops(self, name: str) -> list[dict]:
        return [variables for op, variables, _ in self.operations if op == name]

    def _answer(self, request):
        body = json.loads(request.body)
        token = request.headers.get("X-Shopify-Access-Token")
        op = re.search(r"(?:query|mutation)\s+(\w+)", body["query"]).group(1)
        variables = body.get("variables") or {}
        self.operations.append((op, variables, token))
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return 401, {}, json.dumps(load("shopify", "unauthorized.json"))
        if op == "Shop":
            payload = load("shopify", "shop.json")
        elif op == "FirstLocation":
            payload = load("shopify", "locations_first.json")
        elif op == "WebhookSubscriptions":
            payload = load("shopify", "integrations_webhook_subscriptions_empty.json")
            nodes = [{"id": i, **s} for i, s in self.subscriptions.items()]
            payload["data"]["webhookSubscriptions"]["nodes"] = nodes
        elif op == "WebhookSubscriptionCreate":
            payload = load("shopify", "webhook_subscription_create.json")
            result = payload["data"]["webhookSubscriptionCreate"]
            if variables["topic"] == self.fail_topic:
                result["webhookSubscription"] = None
                result["userErrors"] = [{"field": ["webhookSubscription"], "message": "Address is invalid"}]
            else:
                self._next += 1
                sub_id = f"gid://shopify/WebhookSubscription/{self._next}"
                sub = {"topic": variables["topic"], "uri": variables["uri"]}
                self.subscriptions[sub_id] = sub
                result["webhookSubscription"] = {"id": sub_id, **sub}
        elif op == "WebhookSubscriptionDelete":
            payload = load("shopify", "integrations_webhook_subscription_delete.json")
            self.subscriptions.pop(variables["id"], None)
            payload["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] = variables["id"]
        else:  # pragma: no cover - a new document needs a fake answer here
            raise AssertionError(f"unexpected Shopify operation {op}")
        return 200, {}, json.dumps(payload)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake_shopify(rsps):
    return FakeShopify(rsps)


@pytest.fixture
def sync_calls(monkeypatch):
    """Stand-in for the one sync door, `app.sync.service.start_sync`: records (integration id, kind) of every
    sync a connect starts, and starts none (these tests fake only the connect's Shopify calls)."""
    from app.sync import service as sync_service

    calls: list[tuple[int, str]] = []

    def record(integration, kind=sync_service.DEFAULT_KIND, *, enqueue_job=True):
        calls.append((integration.id, kind))
        return None

    monkeypatch.setattr(sync_service, "start_sync", record)
    return calls


def csrf_token(client, path: str = "/integrations") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def intruder(app, make_user):
    """Workspace B: an API client and a logged-in page client of another merchant."""
    user = make_user("intruder@example.com")
    _, token = accounts.create_api_token(user, "intruder")
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    pages = app.test_client()
    log_in(pages, user)
    return type("Intruder", (), {"api": api, "pages": pages, "workspace_id": user.workspace_id})
