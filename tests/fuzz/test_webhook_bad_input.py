"""Webhook endpoints fed bad input: clear 4xx JSON answers, nothing stored except what issue 6 allows (a
malformed body with a VALID signature is kept as `failed` for inspection). Property-based where the input
space is large (bodies, signatures), explicit for the limits (size, content types)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Webhook
from app.platforms.signatures import sign_meta_body, sign_shopify_body

SHOP = "fuzz-shop.myshopify.com"
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


def _shopify(client, raw: bytes, signature: str | None, content_type="application/json", **extra):
    headers = {"Content-Type": content_type, "X-Shopify-Topic": "products/update",
               "X-Shopify-Shop-Domain": SHOP, **extra}  # fmt: skip
    if signature is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature
    return client.post("/api/webhooks/shopify", data=raw, headers=headers)


def _stored() -> list[tuple[str, str | None]]:
    db.session.rollback()
    return [tuple(r) for r in db.session.execute(select(Webhook.status, Webhook.error)).all()]


def _clear() -> None:
    db.session.execute(delete(Webhook))
    db.session.commit()


def _json_error(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    body = response.get_json(silent=True)
    assert isinstance(body, dict) and body.get("error"), response.get_data(as_text=True)[:200]


@SETTINGS
@given(
    raw=st.binary(max_size=2048),
    signature=st.one_of(st.none(), st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)),
)
def test_bad_signatures_are_refused_and_nothing_is_stored(app, client, raw, signature):
    response = _shopify(client, raw, signature)
    _json_error(response, 401)
    for platform in ("whatsapp", "facebook"):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        _json_error(client.post(f"/api/webhooks/{platform}", data=raw, headers=headers), 401)
    assert _stored() == []


@SETTINGS
@given(raw=st.binary(max_size=2048).filter(lambda b: _not_json(b)))
def test_signed_malformed_bodies_answer_400_and_are_kept_as_failed(app, client, raw):
    _clear()
    response = _shopify(client, raw, sign_shopify_body(app.config["SHOPIFY_API_SECRET"], raw))
    _json_error(response, 400)
    assert "Malformed webhook body" in response.get_json()["error"]
    assert [status for status, _ in _stored()] == ["failed"]
    meta = client.post("/api/webhooks/whatsapp", data=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": sign_meta_body(app.config["META_APP_SECRET"], raw)})  # fmt: skip
    _json_error(meta, 400)
    assert len(_stored()) == 2


@SETTINGS
@given(body=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                         lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                                                   max_size=4),
                         max_leaves=12))  # fmt: skip
def test_signed_json_of_any_shape_never_breaks_intake(app, client, body):
    import json

    raw = json.dumps(body).encode()
    response = _shopify(client, raw, sign_shopify_body(app.config["SHOPIFY_API_SECRET"], raw),
                        **{"X-Shopify-Webhook-Id": f"shape-{hash(raw)}"})  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)[
        :200
    ]  # unknown shop: recorded, ignored
    meta = client.post("/api/webhooks/facebook", data=raw, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": sign_meta_body(app.config["META_APP_SECRET"], raw)})  # fmt: skip
    assert meta.status_code in (200, 400), meta.get_data(as_text=True)[:200]
    assert meta.get_json(silent=True) is not None


def test_body_over_the_size_limit_is_413_json_and_not_stored(app, client):
    raw = b'{"title": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = _shopify(client, raw, sign_shopify_body(app.config["SHOPIFY_API_SECRET"], raw))
    _json_error(response, 413)
    _json_error(
        client.post("/api/webhooks/whatsapp", data=raw, headers={"Content-Type": "application/json"}), 413
    )
    assert _stored() == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_wrong_content_types_without_signature_are_refused(client, content_type):
    _json_error(_shopify(client, b"title=hello&id=1", None, content_type=content_type), 401)
    assert _stored() == []


def test_a_signed_body_is_judged_by_its_bytes_not_its_content_type(app, client):
    raw = b'{"id": 1, "title": "Plain"}'
    response = _shopify(
        client, raw, sign_shopify_body(app.config["SHOPIFY_API_SECRET"], raw), content_type="text/plain"
    )
    assert (
        response.status_code == 200 and response.get_json()["status"] == "ignored"
    )  # unknown shop, recorded
    assert db.session.scalar(select(func.count(Webhook.id))) == 1


def _not_json(raw: bytes) -> bool:
    import json

    try:
        json.loads(raw)
    except ValueError:
        return True
    return False
