"""Helpers for webhook tests: signed deliveries from the JSON fixtures, and connected integrations."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.models import Integration
from app.models.types import utcnow
from app.platforms.signatures import sign_meta_body, sign_shopify_body

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"
SHOP = "demo-shop.myshopify.com"
PHONE_NUMBER_ID = "106540352242922"
PAGE_ID = "112233445566778"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> dict:
    return json.loads(fixture_bytes(name))


def with_value(body, path: tuple, value):
    """A deep copy of `body` with the node at `path` (keys and list indexes) replaced by `value`."""
    if not path:
        return value
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def to_bytes(body) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.fixture
def post_shopify(client):
    def post(topic, body, *, webhook_id=None, secret="test-api-secret", shop=SHOP, triggered_at=None,
             path="/api/webhooks/shopify", hmac=None):  # fmt: skip
        raw = to_bytes(body)
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-API-Version": "2026-10",
        }
        if triggered_at:
            headers["X-Shopify-Triggered-At"] = triggered_at
        signature = hmac if hmac is not None else sign_shopify_body(secret, raw)
        if signature:
            headers["X-Shopify-Hmac-Sha256"] = signature
        return client.post(path, data=raw, headers=headers)

    return post


@pytest.fixture
def post_meta(client):
    def post(platform, body, *, secret="test-meta-secret", signature=None):
        raw = to_bytes(body)
        headers = {"Content-Type": "application/json"}
        signature = signature if signature is not None else sign_meta_body(secret, raw)
        if signature:
            headers["X-Hub-Signature-256"] = signature
        return client.post(f"/api/webhooks/{platform}", data=raw, headers=headers)

    return post


def _integration(workspace, platform, account_id, **secrets) -> SimpleNamespace:
    """Plain ids, not the row: the burst worker ends its session after each job, detaching loaded rows."""
    integration = Integration(
        workspace_id=workspace.id, platform=platform, account_id=account_id, status="connected", config={},
        proved_at=utcnow(),  # as a connect leaves it: the credentials answered, this row holds the account
    )  # fmt: skip
    integration.set_secrets(access_token="token", **secrets)
    db.session.add(integration)
    db.session.commit()
    return SimpleNamespace(id=integration.id, workspace_id=integration.workspace_id, account_id=account_id)


@pytest.fixture
def shopify_integration(workspace):
    return _integration(workspace, "shopify", SHOP)


@pytest.fixture
def whatsapp_integration(workspace):
    return _integration(
        workspace, "whatsapp", PHONE_NUMBER_ID, app_secret="wa-own-secret", verify_token="wa-verify"
    )


@pytest.fixture
def facebook_integration(workspace):
    return _integration(workspace, "facebook", PAGE_ID, app_secret="fb-own-secret")
