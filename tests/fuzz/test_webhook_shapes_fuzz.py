"""Webhook bodies of every wrong shape, signed and unsigned, at all four endpoints, then processed.

Real payloads (the JSON fixtures) with one node replaced by anything JSON can hold: NUL and control
characters, lone surrogates, very long strings, integers beyond int64, deep nesting. Intake must never answer
5xx; a burst worker must leave every stored delivery in a final state (processed, failed with an error, or
ignored), never pending or processing, so nothing retries forever. Free text with NUL or lone surrogates is
processed and stored with U+FFFD in their place.
"""

from __future__ import annotations

import itertools
import json
import re

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Message, Product, Webhook
from app.platforms.signatures import sign_meta_body, sign_shopify_body
from tests.webhooks.conftest import PAGE_ID, PHONE_NUMBER_ID, SHOP, _integration, fixture_json, with_value

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))  # fmt: skip
FINAL = {"processed", "failed", "ignored"}
ENDPOINTS = {
    "shopify": ["shopify/products_update.json", "shopify/orders_create.json", "shopify/inventory_levels_update.json",
                "shopify/products_delete.json"],
    "shopify/compliance": ["shopify/customers_redact.json", "shopify/customers_data_request.json"],
    "whatsapp": ["meta/whatsapp_text.json", "meta/whatsapp_order.json", "meta/whatsapp_status.json",
                 "meta/whatsapp_interactive.json"],
    "facebook": ["meta/facebook_message.json"],
}  # fmt: skip
TOPICS = {"shopify/products_update.json": "products/update", "shopify/orders_create.json": "orders/create",
          "shopify/inventory_levels_update.json": "inventory_levels/update",
          "shopify/products_delete.json": "products/delete", "shopify/customers_redact.json": "customers/redact",
          "shopify/customers_data_request.json": "customers/data_request"}  # fmt: skip
_serial = itertools.count(1)

# Text no database likes: NUL, C0/C1 controls, lone surrogates, astral characters, and long runs.
nasty_text = st.text(st.characters(codec=None, categories=None), max_size=40) | st.sampled_from(
    ["\x00", "a\x00b", "\ud800", "\udfff", "\x01\x1f\x7f\x9f", "x" * 70_000, "\U0001f600", ""]
)
scalars = (
    st.none() | st.booleans() | nasty_text | st.floats(allow_nan=False)
    | st.integers(min_value=-(2**80), max_value=2**80) | st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**30])
)  # fmt: skip
values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(nasty_text, kids, max_size=3),
                      max_leaves=8)  # fmt: skip


@pytest.fixture
def connected(workspace):
    """The three integrations, and the shop at the HTTP boundary: a products/update body without its media is
    read again by GraphQL, which this shop answers as Shopify does for a product it does not hold."""
    shop = responses.RequestsMock(assert_all_requests_are_fired=False)
    shop.add(responses.POST, re.compile(rf"https://{re.escape(SHOP)}/admin/api/[^/]+/graphql\.json"),
             json={"data": {"product": None}, "extensions": {}})  # fmt: skip
    for platform, account, secret in (("shopify", SHOP, None), ("whatsapp", PHONE_NUMBER_ID, "wa-own-secret"),
                                      ("facebook", PAGE_ID, "fb-own-secret")):  # fmt: skip
        _integration(workspace, platform, account, **({"app_secret": secret} if secret else {}))
    with shop:
        yield


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _paths(child, (*prefix, i))


@st.composite
def mutated(draw):
    endpoint = draw(st.sampled_from(sorted(ENDPOINTS)))
    name = draw(st.sampled_from(ENDPOINTS[endpoint]))
    body = fixture_json(name)
    path = draw(st.sampled_from(list(_paths(body))))
    return endpoint, name, with_value(body, path, draw(values))


def _post(client, app, endpoint: str, name: str, raw: bytes, signed: bool):
    headers = {"Content-Type": "application/json"}
    if endpoint.startswith("shopify"):
        headers.update({"X-Shopify-Topic": TOPICS[name], "X-Shopify-Shop-Domain": SHOP,
                        "X-Shopify-Webhook-Id": f"fuzz-{next(_serial)}"})  # fmt: skip
        if signed:
            headers["X-Shopify-Hmac-Sha256"] = sign_shopify_body(app.config["SHOPIFY_API_SECRET"], raw)
    elif signed:
        headers["X-Hub-Signature-256"] = sign_meta_body(app.config["META_APP_SECRET"], raw)
    return client.post(f"/api/webhooks/{endpoint}", data=raw, headers=headers)


def _assert_final(run_jobs) -> None:
    run_jobs()
    db.session.rollback()
    for status, error in db.session.execute(select(Webhook.status, Webhook.error)):
        assert status in FINAL, (status, error)
        assert status != "failed" or error


@SETTINGS
@given(case=mutated(), signed=st.booleans())
def test_any_shape_signed_or_not_never_5xx_and_never_stuck(app, client, connected, run_jobs, case, signed):
    endpoint, name, body = case
    raw = json.dumps(body).encode()
    response = _post(client, app, endpoint, name, raw, signed)
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert isinstance(response.get_json(silent=True), dict)
    if not signed:
        assert response.status_code == 401
    _assert_final(run_jobs)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
                                 b'{"id": 1' + b"0" * 5000 + b"}", b'{"title": "\xed\xa0\x80"}', b"\xff\xfe{\x00}\x00"])  # fmt: skip
def test_deep_huge_or_not_utf8_bodies_signed_are_400_and_kept(app, client, run_jobs, endpoint, raw):
    response = _post(client, app, endpoint, ENDPOINTS[endpoint][0], raw, signed=True)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "Malformed webhook body" in response.get_json()["error"]
    assert db.session.scalar(select(Webhook.status)) == "failed"
    assert _post(client, app, endpoint, ENDPOINTS[endpoint][0], raw, signed=False).status_code == 401
    _assert_final(run_jobs)


def _expected(text: str) -> str:
    return "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in text)


free_text = st.text(st.characters(codec=None, categories=None), min_size=1, max_size=400)


@SETTINGS
@given(title=free_text, html=free_text)
def test_product_free_text_of_any_characters_is_processed(app, client, connected, run_jobs, title, html):
    n = next(_serial)
    body = fixture_json("shopify/products_update.json")
    body.update(id=n, admin_graphql_api_id=f"gid://shopify/Product/{n}", title=title, body_html=html)
    response = _post(client, app, "shopify", "shopify/products_update.json", json.dumps(body).encode(), True)
    assert response.get_json() == {"status": "accepted"}
    _assert_final(run_jobs)
    assert db.session.scalar(select(Webhook.status).order_by(Webhook.id.desc()).limit(1)) == "processed"
    product = db.session.scalars(
        select(Product).where(Product.shopify_product_id == f"gid://shopify/Product/{n}")
    ).one()
    assert (product.title, product.description_html) == (_expected(title), _expected(html))


@SETTINGS
@given(text=free_text, name=free_text)
def test_whatsapp_text_of_any_characters_is_processed(app, client, connected, run_jobs, text, name):
    body = fixture_json("meta/whatsapp_text.json")
    value = body["entry"][0]["changes"][0]["value"]
    message_id = f"wamid.fuzz-{next(_serial)}"
    value["messages"][0].update(id=message_id, text={"body": text})
    value["contacts"][0]["profile"]["name"] = name[:255]
    response = _post(client, app, "whatsapp", "meta/whatsapp_text.json", json.dumps(body).encode(), True)
    assert response.get_json() == {"status": "accepted"}
    _assert_final(run_jobs)
    stored = db.session.scalars(select(Message.body).where(Message.platform_message_id == message_id)).one()
    assert stored == _expected(text)
