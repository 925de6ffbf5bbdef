"""The WSGI-level Shopify intake answers exactly as the Flask route does, and skips Flask's request hooks."""

from __future__ import annotations

import json
import uuid

import pytest
from werkzeug.test import Client

from app.extensions import db
from app.models import Webhook
from app.platforms.signatures import sign_shopify_body
from app.webhooks import intake
from app.webhooks.wsgi_intake import WebhookIntake

from .conftest import SHOP, fixture_bytes

BODY = fixture_bytes("shopify/products_update.json")


def _headers(raw: bytes, webhook_id: str, *, topic="products/update", shop=SHOP, secret="test-api-secret"):
    headers = {"Content-Type": "application/json", "X-Shopify-Webhook-Id": webhook_id}
    if topic:
        headers["X-Shopify-Topic"] = topic
    if shop:
        headers["X-Shopify-Shop-Domain"] = shop
    if secret:
        headers["X-Shopify-Hmac-Sha256"] = sign_shopify_body(secret, raw)
    return headers


def _both(app, raw: bytes, path="/api/webhooks/shopify", **kw):
    """The same request, once through the fast path and once through Flask alone (fresh delivery ids)."""
    assert isinstance(app.wsgi_app, WebhookIntake)
    fast = Client(app).post(path, data=raw, headers=_headers(raw, str(uuid.uuid4()), **kw))
    flask = Client(app.wsgi_app.wsgi_app).post(path, data=raw, headers=_headers(raw, str(uuid.uuid4()), **kw))
    return fast, flask


def _same(fast, flask):
    assert fast.status == flask.status
    assert fast.get_data() == flask.get_data()
    assert sorted(fast.headers.items()) == sorted(flask.headers.items())


@pytest.mark.parametrize(
    "raw, kw",
    [
        (BODY, {}),  # accepted
        (BODY, {"secret": "wrong-secret"}),  # 401
        (BODY, {"secret": None}),  # 401, no HMAC header
        (b'{"id": 1,', {}),  # 400, stored as failed
        (BODY, {"topic": None}),  # 400, missing topic
        (BODY, {"shop": "elsewhere.myshopify.com"}),  # ignored
    ],
)
def test_fast_path_answers_as_the_route_does(app, shopify_integration, raw, kw):
    fast, flask = _both(app, raw, **kw)
    _same(fast, flask)
    assert "Set-Cookie" not in fast.headers
    assert fast.headers["X-Frame-Options"] == "DENY"


def test_a_repeated_answer_is_still_the_routes_byte_for_byte(app, shopify_integration):
    """The common answers are built once per process and then replayed: the replay must not drift."""
    for _ in range(3):
        fast, flask = _both(app, BODY)
        _same(fast, flask)
        assert fast.get_json() == {"status": "accepted"}
    webhook_id = str(uuid.uuid4())
    for client in (Client(app), Client(app), Client(app.wsgi_app.wsgi_app)):
        again = client.post("/api/webhooks/shopify", data=BODY, headers=_headers(BODY, webhook_id))
    fast = Client(app).post("/api/webhooks/shopify", data=BODY, headers=_headers(BODY, webhook_id))
    _same(fast, again)
    assert fast.get_json() == {"status": "duplicate"}


def test_compliance_path_and_duplicates(app, shopify_integration):
    fast, flask = _both(app, BODY, path="/api/webhooks/shopify/compliance", topic="customers/redact")
    _same(fast, flask)
    webhook_id = str(uuid.uuid4())
    first = Client(app).post("/api/webhooks/shopify", data=BODY, headers=_headers(BODY, webhook_id))
    again = Client(app).post("/api/webhooks/shopify", data=BODY, headers=_headers(BODY, webhook_id))
    assert first.get_json()["status"] in ("accepted", "stored")
    assert again.status_code == 200 and again.get_json() == {"status": "duplicate"}
    assert db.session.query(Webhook).filter_by(delivery_id=webhook_id).count() == 1


def test_fast_path_skips_the_request_hooks_but_not_other_routes(app, shopify_integration):
    seen = []
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(1))
    Client(app).post("/api/webhooks/shopify", data=BODY, headers=_headers(BODY, str(uuid.uuid4())))
    assert seen == []
    Client(app).post("/api/webhooks/shopify/", data=BODY, headers=_headers(BODY, str(uuid.uuid4())))
    Client(app).get("/api/webhooks/shopify")
    assert len(seen) == 2  # anything but the exact POST goes through Flask


def test_an_oversized_body_goes_through_flask(app, shopify_integration, monkeypatch):
    # (Chunked bodies go there too: tests/core/test_body_limit.py and test_gunicorn.py cover their answers.)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64)
    fast, flask = _both(app, BODY)
    _same(fast, flask)
    assert fast.status_code == 413 and "larger than the limit" in fast.get_json()["error"]


def test_an_unexpected_error_is_the_apps_500(app, shopify_integration, monkeypatch, caplog):
    def broken(raw, headers):
        raise RuntimeError("boom")

    monkeypatch.setattr(intake, "receive_shopify", broken)
    fast, flask = _both(app, BODY)
    _same(fast, flask)
    assert fast.status_code == 500
    assert json.loads(fast.get_data()) == {"error": "Something went wrong on our side. It has been logged."}
    assert "unhandled error on POST /api/webhooks/shopify" in caplog.text
