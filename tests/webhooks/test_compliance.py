"""Shopify's mandatory compliance topics: HMAC-verified, answered fast, processed in a job."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Checkout,
    ComplianceRequest,
    Conversation,
    Integration,
    Message,
    Order,
    Product,
    ProductVariant,
    Webhook,
)
from tests.webhooks.conftest import fixture_json

COMPLIANCE = "/api/webhooks/shopify/compliance"


def count(model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def _seed(post_shopify, post_meta, run_jobs):
    """The customer's order and WhatsApp conversation, and another customer's order that must stay intact."""
    post_shopify("products/create", fixture_json("shopify/products_create.json"))
    post_shopify("orders/create", fixture_json("shopify/orders_create.json"))
    other = copy.deepcopy(fixture_json("shopify/orders_create.json"))
    other.update(id=1, admin_graphql_api_id="gid://shopify/Order/1", email="arya@example.com",
                 contact_email="arya@example.com", phone="+15550001111", name="#1000")  # fmt: skip
    other["customer"] = {"id": 2, "email": "arya@example.com", "first_name": "Arya", "phone": "+15550001111"}
    other["billing_address"] = {"name": "Arya Stark", "phone": "+15550001111"}
    post_shopify("orders/create", other)
    text = fixture_json("meta/whatsapp_text.json")
    value = text["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = "16135551212"
    post_meta("whatsapp", text)
    run_jobs()
    assert count(Order) == 2 and count(Conversation) == 1 and count(Message) == 1


def _checkouts(post_shopify, run_jobs):
    """A checkout of the redacted customer (by their Shopify id) and one of another customer."""
    mine = copy.deepcopy(fixture_json("shopify/checkouts_create.json"))
    mine["customer"].update(
        id=115310627314723954, admin_graphql_api_id="gid://shopify/Customer/115310627314723954"
    )
    other = copy.deepcopy(fixture_json("shopify/checkouts_create.json"))
    other.update(id=2, token="t-2", email="arya@example.com", sms_marketing_phone="+15550001111")
    other["customer"] = {"id": 2, "email": "arya@example.com", "first_name": "Arya"}
    post_shopify("checkouts/create", mine)
    post_shopify("checkouts/create", other)
    run_jobs()
    assert count(Checkout) == 2


def test_compliance_endpoint_requires_hmac(post_shopify, shopify_integration):
    body = fixture_json("shopify/customers_redact.json")
    assert post_shopify("customers/redact", body, path=COMPLIANCE, secret="nope").status_code == 401
    assert post_shopify("customers/redact", body, path=COMPLIANCE, hmac="").status_code == 401
    assert count(Webhook) == 0


def test_customers_redact_deletes_conversations_and_anonymises_orders(
    post_shopify, post_meta, shopify_integration, whatsapp_integration, run_jobs
):
    _seed(post_shopify, post_meta, run_jobs)
    _checkouts(post_shopify, run_jobs)
    response = post_shopify(
        "customers/redact", fixture_json("shopify/customers_redact.json"), path=COMPLIANCE
    )
    assert response.status_code == 200 and response.get_json() == {"status": "accepted"}
    run_jobs()
    redacted = db.session.scalars(select(Order).where(Order.number == "#9999")).one()
    assert (redacted.customer_name, redacted.customer_email, redacted.customer_phone) == (
        "[redacted]",
        None,
        None,
    )
    assert str(redacted.total_price) == "39.98"  # the merchant's books keep the amounts
    kept = db.session.scalars(select(Order).where(Order.number == "#1000")).one()
    assert kept.customer_email == "arya@example.com"
    assert count(Conversation) == 0 and count(Message) == 0
    assert list(db.session.scalars(select(Checkout.customer_email))) == ["arya@example.com"]
    request = db.session.scalars(select(ComplianceRequest)).one()
    assert (request.topic, request.status, request.shop_domain) == (
        "customers/redact",
        "completed",
        shopify_integration.account_id,
    )
    assert db.session.scalar(select(Webhook.status).where(Webhook.topic == "customers/redact")) == "processed"


def test_customers_data_request_records_an_export_to_download(
    post_shopify, post_meta, shopify_integration, whatsapp_integration, run_jobs, api_client, app, make_user
):
    _seed(post_shopify, post_meta, run_jobs)
    _checkouts(post_shopify, run_jobs)
    # Also accepted on the main Shopify endpoint.
    post_shopify("customers/data_request", fixture_json("shopify/customers_data_request.json"))
    run_jobs()
    request = db.session.scalars(select(ComplianceRequest)).one()
    assert (request.topic, request.status) == ("customers/data_request", "completed")
    assert [o["number"] for o in request.export["orders"]] == ["#9999"]
    assert [c["id"] for c in request.export["checkouts"]] == [
        "gid://shopify/AbandonedCheckout/981820079255243537"
    ]
    assert (
        request.export["conversations"][0]["messages"][0]["body"] == "Hi, do you have the t-shirt in small?"
    )
    assert count(Order) == 2 and count(Conversation) == 1  # a data request changes nothing

    download = api_client.get(f"/api/compliance/{request.id}/export")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.get_json()["orders"][0]["customer_email"] == "jon@example.com"

    from app.services import accounts

    _, token = accounts.create_api_token(make_user("other@example.com"), "other")
    other = app.test_client().get(
        f"/api/compliance/{request.id}/export", headers={"Authorization": f"Bearer {token}"}
    )
    assert other.status_code == 404


def test_shop_redact_deletes_everything_held_for_the_shop(
    post_shopify, post_meta, shopify_integration, whatsapp_integration, run_jobs
):
    _seed(post_shopify, post_meta, run_jobs)
    _checkouts(post_shopify, run_jobs)
    response = post_shopify("shop/redact", fixture_json("shopify/shop_redact.json"), path=COMPLIANCE)
    assert response.status_code == 200
    run_jobs()
    assert count(Product) == 0 and count(ProductVariant) == 0
    assert count(Order) == 0 and count(Conversation) == 0 and count(Message) == 0 and count(Checkout) == 0
    assert db.session.get(Integration, shopify_integration.id) is None
    assert db.session.get(Integration, whatsapp_integration.id) is not None
    remaining = list(db.session.scalars(select(Webhook.topic).where(Webhook.platform == "shopify")))
    assert remaining == ["shop/redact"]
    assert db.session.scalar(select(Webhook.status).where(Webhook.topic == "shop/redact")) == "processed"
    request = db.session.scalars(select(ComplianceRequest)).one()
    assert (request.topic, request.status, request.workspace_id) == (
        "shop/redact",
        "completed",
        shopify_integration.workspace_id,
    )
