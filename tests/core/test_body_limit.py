"""A body without Content-Length (chunked) over MAX_CONTENT_LENGTH answers 413 JSON; one within it is read
whole. The environ is what gunicorn and Werkzeug's server pass for a chunked request: no CONTENT_LENGTH, the
de-chunked body as `wsgi.input`, `wsgi.input_terminated` set. (tests/system/test_gunicorn.py sends the
same through a real gunicorn.)"""

from __future__ import annotations

import io
import json

import pytest

from app.platforms.signatures import sign_shopify_body

CHUNKED = {"wsgi.input_terminated": True, "tests.unsized": True}


@pytest.fixture(autouse=True)
def unsized(app, monkeypatch):
    """Werkzeug's test client always derives CONTENT_LENGTH from the stream; a chunked request has none."""
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        if environ.get("tests.unsized"):
            environ.pop("CONTENT_LENGTH", None)
        return inner(environ, start_response)

    monkeypatch.setattr(app, "wsgi_app", wsgi_app)


def _post(client, path, body: bytes, **headers):
    return client.post(
        path, input_stream=io.BytesIO(body), environ_overrides=CHUNKED,
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json", **headers},
    )  # fmt: skip


@pytest.fixture
def small_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    return 4096


def _oversized(limit: int) -> bytes:
    # Valid JSON all the way, so only its size can be the problem.
    return json.dumps({"title": "x" * (limit * 3)}).encode()


@pytest.mark.parametrize(
    "path", ["/api/webhooks/shopify", "/api/webhooks/shopify/compliance", "/api/webhooks/whatsapp",
             "/api/webhooks/facebook"],
)  # fmt: skip
def test_chunked_webhook_over_the_limit_answers_413_json(client, small_limit, path):
    body = _oversized(small_limit)
    response = _post(
        client, path, body, **{"X-Shopify-Hmac-Sha256": sign_shopify_body("test-api-secret", body)}
    )
    assert response.status_code == 413
    assert response.get_json() == {"error": "The request body is larger than the limit of 4096 bytes."}


@pytest.mark.parametrize("path", ["/api/products", "/api/orders", "/api/integrations", "/api/reservations"])
def test_chunked_api_body_over_the_limit_answers_413_json(api_client, small_limit, path):
    response = _post(api_client, path, _oversized(small_limit))
    assert response.status_code == 413
    assert response.get_json()["error"] == "The request body is larger than the limit of 4096 bytes."


def test_chunked_body_within_the_limit_is_read_whole(api_client, small_limit):
    body = json.dumps({"title": "Linen Shirt", "status": "active", "pad": "y" * 3000}).encode()
    response = _post(api_client, "/api/products", body)
    # The whole body arrived: the unknown field is named, which needs the JSON parsed to its end.
    assert response.status_code == 400 and response.get_json()["fields"] == {"pad": "Unknown field."}
    fields = {"title": "Exactly at the limit", "price": "10.00", "description_html": ""}
    html = "z" * (small_limit - len(json.dumps(fields)))
    exact = json.dumps({**fields, "description_html": html}).encode()
    assert len(exact) == small_limit  # the limit itself is allowed
    created = _post(api_client, "/api/products", exact)
    assert created.status_code == 201 and created.get_json()["description_html"] == html


def test_chunked_signed_webhook_within_the_limit_is_stored(client, small_limit):
    body = json.dumps({"id": 1, "title": "Linen Shirt"}).encode()
    response = _post(
        client, "/api/webhooks/shopify", body, **{"X-Shopify-Hmac-Sha256": sign_shopify_body("test-api-secret", body),
        "X-Shopify-Topic": "products/update", "X-Shopify-Shop-Domain": "nowhere.myshopify.com",
        "X-Shopify-Webhook-Id": "chunked-1"},
    )  # fmt: skip
    # The signature matched over the whole body (an unknown shop is acknowledged and dropped).
    assert response.status_code != 401 and response.status_code < 500
