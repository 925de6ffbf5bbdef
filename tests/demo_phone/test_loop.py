"""The demo's whole WhatsApp loop against the stand-in number: connect, templates, an order confirmation
with its statuses, the customer's answer reaching conversations and consent, and Meta's refusals."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.demo_phone import create_standalone_app
from app.extensions import db
from app.messaging.automations import save_automation
from app.models import Conversation, Customer, Integration, Message, MessageTemplate, OutboxMessage
from app.models.scoping import WorkspaceScope
from app.services import demo_phone as service
from tests.messaging.test_automations import paid_order

ORDER_PHONE = "+1 555-012-3456"  # the stand-in's customer, as a shop writes it


def _wired(ws: int, phone, run_jobs) -> Integration:
    integration_id = service.wire(WorkspaceScope(ws), phone).id
    run_jobs()  # the template sync queued on connect
    return db.session.get(Integration, integration_id)


def test_wiring_connects_the_stand_in_and_syncs_its_templates(workspace, phone, run_jobs):
    ws = workspace.id
    integration = _wired(ws, phone, run_jobs)
    assert (integration.status, integration.account_id) == ("connected", phone.phone_number_id)
    assert integration.display_name == "Demo Shop"
    names = db.session.scalars(select(MessageTemplate.name).order_by(MessageTemplate.name)).all()
    assert names == ["abandoned_cart_reminder", "order_confirmation", "order_delivered", "shipping_update"]
    assert service.wire(WorkspaceScope(ws), phone).id == integration.id  # once


def test_an_order_confirmation_reaches_the_phone_filled_in_and_goes_sent_delivered_read(
    workspace, phone, run_jobs, post_shopify, shopify_integration
):
    ws = workspace.id
    _wired(ws, phone, run_jobs)
    save_automation(ws, "order_confirmation", enabled=True, template="order_confirmation|en_US", delay="0")
    order = paid_order(phone=ORDER_PHONE)
    order["customer"]["phone"] = ORDER_PHONE
    for _ in range(3):  # re-deliveries: one message
        assert post_shopify("orders/create", order).status_code == 200
    run_jobs()
    (shown,) = phone.chat(phone.customer)
    assert shown["kind"] == "template" and shown["header"] == "Order confirmed"
    assert shown["text"].startswith(f"Hi Jon, thanks for your order {order['name']} of ")
    assert "{{" not in shown["text"]
    assert phone.flush() == [200, 200]  # sent, delivered
    run_jobs()
    row = db.session.scalars(select(OutboxMessage)).one()
    assert (row.status, row.wamid) == ("delivered", shown["wamid"])
    assert phone.opened(phone.customer) == 1
    assert phone.opened(phone.customer) == 0  # looked at again: read is reported once
    assert phone.flush() == [200]
    run_jobs()
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage)).one().status == "read"
    assert phone.chat(phone.customer)[0]["status"] == "read"


def test_the_customers_answer_lands_in_conversations_and_stop_opts_out(workspace, phone, run_jobs):
    ws = workspace.id
    _wired(ws, phone, run_jobs)
    service.customer_says(phone, phone.customer, "Where is my parcel?")
    service.customer_says(phone, phone.customer, "STOP")
    run_jobs()
    conversation = db.session.scalars(select(Conversation)).one()
    assert conversation.customer_wa_id == phone.customer
    bodies = db.session.scalars(select(Message.body).order_by(Message.id)).all()
    assert bodies == ["Where is my parcel?", "STOP"]
    assert db.session.scalars(select(Customer)).one().consent == "opted_out"
    assert [m["direction"] for m in phone.chat(phone.customer)] == ["in", "in"]


def test_a_badly_signed_stand_in_is_refused_by_the_app(workspace, phone, run_jobs):
    ws = workspace.id
    _wired(ws, phone, run_jobs)
    phone.app_secret = "someone-else"
    try:
        service.customer_says(phone, phone.customer, "hello")
    except service.DemoPhoneRefused as exc:
        assert exc.status == 502
    else:
        raise AssertionError("a wrongly signed webhook was taken")


def test_the_stand_in_refuses_as_meta_does(app, phone):
    client = create_standalone_app(phone).test_client()
    auth = {"Authorization": f"Bearer {phone.access_token}"}
    url = f"/demo-meta/v25.0/{phone.phone_number_id}/messages"
    wrong = client.post(url, json={}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == 190
    unknown = client.post("/demo-meta/v25.0/999/messages", json={}, headers=auth)
    assert unknown.status_code == 400 and unknown.get_json()["error"]["error_subcode"] == 33
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": phone.customer}
    closed = client.post(url, json={**base, "type": "text", "text": {"body": "hi"}}, headers=auth)
    assert closed.status_code == 400 and closed.get_json()["error"]["code"] == 131047
    template = {"name": "order_confirmation", "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]}  # fmt: skip
    short = client.post(url, json={**base, "type": "template", "template": template}, headers=auth)
    assert short.status_code == 400 and short.get_json()["error"]["code"] == 132000
    missing = client.post(
        url, json={**base, "type": "template", "template": {**template, "name": "nope"}}, headers=auth
    )
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == 132001
    assert phone.chat(phone.customer) == [] and phone.held == []
    phone.window_open = lambda customer: True  # the customer wrote a minute ago
    ok = client.post(url, json={**base, "type": "text", "text": {"body": "Hello Ana"}}, headers=auth)
    answer = ok.get_json()
    assert answer["contacts"] == [{"input": phone.customer, "wa_id": phone.customer}]
    assert answer["messages"][0]["id"].startswith("wamid.")
    statuses = [
        json.loads(raw)["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for raw, _ in phone.held
    ]
    assert statuses == ["sent", "delivered"]
    assert all(h["X-Hub-Signature-256"] == phone.sign(raw) for raw, h in phone.held)


def test_demo_mode_mounts_the_stand_in_and_points_meta_clients_at_it(tmp_path):
    from app import create_app
    from app.config import TestConfig

    demo = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                       "DEMO_MODE": True, "APP_URL": "http://127.0.0.1:5999", "META_APP_SECRET": "",
                       "DEMO_STORE_DB": str(tmp_path / "store.sqlite3"), "DEMO_PHONE_DB": str(tmp_path / "phone.sqlite3")})  # fmt: skip
    assert demo.config["META_GRAPH_BASE"] == "http://127.0.0.1:5999/demo-meta"
    phone = demo.extensions["demo_phone"]
    assert phone.app_secret == demo.config["META_APP_SECRET"] != ""
    assert phone.webhook_url == "http://127.0.0.1:5999/api/webhooks/whatsapp"
    client = demo.test_client()
    url = f"/demo-meta/v25.0/{phone.phone_number_id}?fields=id,display_phone_number"
    assert client.get(url).status_code == 401
    answer = client.get(url, headers={"Authorization": f"Bearer {phone.access_token}"})
    assert answer.get_json() == {"id": phone.phone_number_id, "display_phone_number": "+1 555-010-0100"}


def test_flask_demo_wires_the_demo_login(app, phone, run_jobs, make_user):
    from app.services.demo import DEMO_EMAIL

    make_user(DEMO_EMAIL)
    wired = service.wire_demo(app, DEMO_EMAIL)
    assert wired is not None and wired.account_id == phone.phone_number_id
    assert service.wire_demo(app, "nobody@example.com") is None
