"""Order confirmation and shipped automations, end to end: Shopify webhooks in, one template message out to a
stand-in Meta, however many times and in whatever order the triggering webhooks are re-delivered."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.messaging import sender
from app.messaging.automations import AutomationRefused, save_automation
from app.messaging.customers import customer_for, set_consent
from app.models import MessageTemplate, OutboxMessage
from app.models.types import utcnow
from tests.messaging.conftest import fixture_json

PHONE_DIGITS = "16135551212"  # the fixture order's phone, +1 613-555-1212


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def paid_order(**changes) -> dict:
    body = fixture_json("shopify/orders_create.json")
    now = utcnow()
    body.update(created_at=_iso(now - timedelta(minutes=5)), updated_at=_iso(now - timedelta(minutes=4)))
    body.update(changes)
    return body


def fulfillment(*, updated_minutes_ago=1, tracking=True, status="success") -> dict:
    order = fixture_json("shopify/orders_create.json")
    now = utcnow()
    body = {
        "id": 255858046, "admin_graphql_api_id": "gid://shopify/Fulfillment/255858046", "order_id": order["id"],
        "name": "#9999.1", "status": status, "created_at": _iso(now - timedelta(minutes=3)),
        "updated_at": _iso(now - timedelta(minutes=updated_minutes_ago)), "tracking_company": "Estafeta",
        "tracking_number": "EST123ÑÜ" if tracking else None, "tracking_numbers": ["EST123ÑÜ"] if tracking else [],
        "tracking_url": "https://rastreo.example.mx/EST123" if tracking else None,
        "tracking_urls": ["https://rastreo.example.mx/EST123"] if tracking else [],
    }  # fmt: skip
    return body


@pytest.fixture
def templates(whatsapp_integration):
    ws = whatsapp_integration.workspace_id
    for name, text, category in (
        ("pedido_confirmado", "Hola {{1}}, recibimos tu pedido {{2}} por {{3}}. ¡Gracias!", "utility"),
        ("pedido_enviado", "{{1}}, tu pedido {{2}} va en camino: {{3}} (guía {{4}}, {{5}})", "utility"),
        ("promo_verano", "{{1}}, 20 % en todo", "marketing"),
        ("named_confirm", "Hi {{customer_name}}, order {{order_number}} confirmed", "utility"),
    ):
        db.session.add(MessageTemplate(workspace_id=ws, integration_id=whatsapp_integration.id, name=name,
                                       language="es_MX", category=category, status="APPROVED",
                                       components=[{"type": "BODY", "text": text}]))  # fmt: skip
    db.session.commit()
    return ws


def switch_on(ws, kind, template, delay="0"):
    save_automation(ws, kind, enabled=True, template=f"{template}|es_MX", delay=delay)


def deliveries(post_shopify, pairs):
    for topic, body in pairs:
        assert post_shopify(topic, body, webhook_id=str(uuid.uuid4())).status_code == 200


def outbox_rows():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_twenty_redeliveries_in_random_order_send_one_confirmation(
    meta, post_shopify, run_jobs, shopify_integration, templates
):
    switch_on(templates, "order_confirmation", "pedido_confirmado")
    created = paid_order()
    paid = paid_order(updated_at=_iso(utcnow() - timedelta(minutes=2)))
    updated = paid_order(updated_at=_iso(utcnow() - timedelta(minutes=1)), note="gift wrap")
    pairs = [("orders/create", created)] * 7 + [("orders/paid", paid)] * 7 + [("orders/updated", updated)] * 6
    random.Random(22).shuffle(pairs)
    for start in range(0, 20, 5):  # several batches of the inbox, some in one batch
        deliveries(post_shopify, pairs[start : start + 5])
        run_jobs()
    (sent,) = meta.sent
    assert sent["to"] == PHONE_DIGITS and sent["template"] == {
        "name": "pedido_confirmado", "language": {"code": "es_MX"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Jon"}, {"type": "text", "text": "#9999"},
                                                       {"type": "text", "text": "39.98 USD"}]}],
    }  # fmt: skip
    (row,) = outbox_rows()
    assert (row.event_key, row.status, row.category) == (
        "order:gid://shopify/Order/820982911946154508:confirmation", "sent", "utility")  # fmt: skip


def test_an_unpaid_order_waits_for_orders_paid(meta, post_shopify, run_jobs, shopify_integration, templates):
    switch_on(templates, "order_confirmation", "pedido_confirmado")
    deliveries(post_shopify, [("orders/create", paid_order(financial_status="pending"))])
    run_jobs()
    assert meta.sent == [] and outbox_rows() == []
    deliveries(post_shopify, [("orders/paid", paid_order(updated_at=_iso(utcnow())))])
    run_jobs()
    assert len(meta.sent) == 1


def test_nothing_when_off_opted_out_old_or_cancelled(
    meta, post_shopify, run_jobs, shopify_integration, templates
):
    deliveries(post_shopify, [("orders/create", paid_order())])
    run_jobs()
    assert outbox_rows() == []  # the automation is off
    switch_on(templates, "order_confirmation", "pedido_confirmado")
    customer = customer_for(templates, wa_id=PHONE_DIGITS)
    set_consent(customer, "opted_out", "stop_keyword", utcnow())
    db.session.commit()
    deliveries(post_shopify, [("orders/paid", paid_order(updated_at=_iso(utcnow())))])
    run_jobs()
    assert outbox_rows() == [] and meta.sent == []
    set_consent(customer_for(templates, wa_id=PHONE_DIGITS), "opted_in", "start_keyword", utcnow())
    db.session.commit()
    old = paid_order(id=1, admin_graphql_api_id="gid://shopify/Order/1", created_at="2026-01-02T10:00:00Z",
                     updated_at=_iso(utcnow()))  # fmt: skip
    deliveries(post_shopify, [("orders/updated", old)])
    run_jobs()
    assert outbox_rows() == []  # an old order edited today is not confirmed


def test_the_delay_holds_the_message_until_it_is_due(
    meta, post_shopify, run_jobs, shopify_integration, templates
):
    switch_on(templates, "order_confirmation", "named_confirm", delay="30")
    deliveries(post_shopify, [("orders/create", paid_order())])
    run_jobs()
    (row,) = outbox_rows()
    assert 29 * 60 < (row.due_at - utcnow()).total_seconds() <= 30 * 60
    sender.sweep_outbox()
    run_jobs()
    assert meta.sent == []
    db.session.execute(update(OutboxMessage).values(due_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    sender.sweep_outbox()
    run_jobs()
    (sent,) = meta.sent
    assert sent["template"]["components"][0]["parameters"] == [
        {"type": "text", "parameter_name": "customer_name", "text": "Jon"},
        {"type": "text", "parameter_name": "order_number", "text": "#9999"},
    ]


def test_twenty_fulfillment_redeliveries_send_one_shipped_message_with_the_tracking_link(
    meta, post_shopify, run_jobs, shopify_integration, templates
):
    switch_on(templates, "shipped", "pedido_enviado")
    deliveries(post_shopify, [("orders/create", paid_order())])
    run_jobs()
    untracked = fulfillment(updated_minutes_ago=2, tracking=False)
    deliveries(post_shopify, [("fulfillments/create", untracked)])
    run_jobs()
    assert meta.sent == []  # nothing to track yet
    pairs = [("fulfillments/create", untracked)] * 5 + [("fulfillments/update", fulfillment())] * 15
    random.Random(7).shuffle(pairs)
    for start in range(0, 20, 4):
        deliveries(post_shopify, pairs[start : start + 4])
        run_jobs()
    (sent,) = meta.sent
    assert [p["text"] for p in sent["template"]["components"][0]["parameters"]] == [
        "Jon", "#9999", "https://rastreo.example.mx/EST123", "EST123ÑÜ", "Estafeta"]  # fmt: skip
    assert outbox_rows()[0].event_key == "fulfillment:gid://shopify/Fulfillment/255858046:shipped"


def test_switching_on_needs_an_approved_template(templates):
    with pytest.raises(AutomationRefused, match="approved template"):
        save_automation(templates, "order_confirmation", enabled=True, template="nope|es_MX", delay="0")
    with pytest.raises(AutomationRefused, match="whole number"):
        save_automation(templates, "shipped", enabled=False, template="", delay="soon")
    with pytest.raises(AutomationRefused, match="between"):
        save_automation(templates, "shipped", enabled=False, template="", delay="-1")
    saved = save_automation(templates, "shipped", enabled=False, template="", delay="15")
    assert (saved.enabled, saved.delay_minutes, saved.template_name) == (False, 15, None)
