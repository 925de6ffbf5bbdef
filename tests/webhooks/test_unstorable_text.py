"""Signed bodies whose JSON escapes NUL or a lone surrogate: processed, with U+FFFD in their place."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Message, Product, Webhook
from tests.webhooks.conftest import fixture_bytes


def _escaped(raw: bytes, old: bytes, new: bytes) -> bytes:
    assert old in raw
    return raw.replace(old, new, 1)


def test_product_update_with_nul_in_title_and_body_html_is_processed(
    post_shopify, shopify_integration, run_jobs
):
    raw = fixture_bytes("shopify/products_update.json")
    raw = _escaped(
        raw, b'"Example T-Shirt (new season)"', b'"Example\\u0000T-Shirt \\ud800(new season)\\ud83d\\ude00"'
    )
    raw = _escaped(raw, b'"<p>An example T-Shirt</p>"', b'"<p>An example\\u0000 T-Shirt</p>\\\\u0000"')
    assert post_shopify("products/update", raw).get_json() == {"status": "accepted"}
    run_jobs()
    assert db.session.scalar(select(Webhook.status)) == "processed"
    product = db.session.scalars(select(Product)).one()
    assert product.title == "Example\ufffdT-Shirt \ufffd(new season)\U0001f600"
    # An escaped backslash followed by "u0000" is text, not a NUL, and stays as it came.
    assert product.description_html == "<p>An example\ufffd T-Shirt</p>\\u0000"


def test_whatsapp_text_with_nul_is_processed(post_meta, whatsapp_integration, run_jobs):
    raw = fixture_bytes("meta/whatsapp_text.json")
    raw = _escaped(raw, b'"Hi, do you have the t-shirt in small?"', b'"Hi\\u0000, small?\\udc00"')
    assert post_meta("whatsapp", raw).get_json() == {"status": "accepted"}
    run_jobs()
    assert db.session.scalar(select(Webhook.status)) == "processed"
    assert db.session.scalar(select(Message.body)) == "Hi\ufffd, small?\ufffd"


def test_stored_shopify_payload_is_the_body_except_the_unstorable_escapes(post_shopify, shopify_integration):
    raw = b'{"id": 1,  "title": "a\\u0000b",\n "handle": "x"}'
    post_shopify("products/update", raw)
    assert db.session.scalar(select(Webhook.payload)) == '{"id": 1,  "title": "a\\ufffdb",\n "handle": "x"}'


def test_a_utf8_byte_order_mark_is_ignored_as_before(post_shopify, shopify_integration):
    assert post_shopify("products/update", b'\xef\xbb\xbf{"id": 1, "title": "BOM"}').get_json() == {
        "status": "accepted"
    }
    assert db.session.scalar(select(Webhook.payload)) == '{"id": 1, "title": "BOM"}'
