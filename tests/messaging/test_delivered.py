"""The delivered automation: Shopify's `shipment_status: delivered` on fulfillments/update (or the orders
sync's `displayStatus: DELIVERED`) sends the delivered template once per fulfillment, however the webhooks are
re-delivered and reordered."""

from __future__ import annotations

import random

from app.extensions import db
from app.messaging.automations import save_automation
from app.models import MessageTemplate, OrderFulfillment
from app.sync.mapping import fulfillment_from_graphql
from tests.messaging import test_automations
from tests.messaging.test_automations import deliveries, fulfillment, outbox_rows, paid_order, switch_on

templates = test_automations.templates  # the fixture: approved templates of the WhatsApp integration

FULFILLMENT_GID = "gid://shopify/Fulfillment/255858046"


def _templates(ws, integration_id):
    db.session.add(MessageTemplate(workspace_id=ws, integration_id=integration_id, name="pedido_entregado",
                                   language="es_MX", category="utility", status="APPROVED",
                                   components=[{"type": "BODY", "text": "{{1}}, tu pedido {{2}} llegó ({{3}})."}]))  # fmt: skip
    db.session.commit()


def shipment(state, minutes_ago):
    body = fulfillment(updated_minutes_ago=minutes_ago)
    body["shipment_status"] = state
    return body


def test_twenty_redeliveries_of_a_delivered_update_send_one_delivered_message(
    meta, post_shopify, run_jobs, shopify_integration, whatsapp_integration, templates
):
    _templates(templates, whatsapp_integration.id)
    switch_on(templates, "delivered", "pedido_entregado")
    deliveries(post_shopify, [("orders/create", paid_order())])
    run_jobs()
    pairs = (
        [("fulfillments/create", shipment(None, 3))] * 4
        + [("fulfillments/update", shipment("in_transit", 2))] * 6
        + [("fulfillments/update", shipment("delivered", 1))] * 10
    )
    random.Random(11).shuffle(pairs)
    for start in range(0, 20, 4):
        deliveries(post_shopify, pairs[start : start + 4])
        run_jobs()
    (sent,) = meta.sent
    assert sent["template"]["name"] == "pedido_entregado"
    assert [p["text"] for p in sent["template"]["components"][0]["parameters"]] == [
        "Jon", "#9999", "https://rastreo.example.mx/EST123"]  # fmt: skip
    (row,) = outbox_rows()
    assert (row.event_key, row.status) == (f"fulfillment:{FULFILLMENT_GID}:delivered", "sent")
    stored = db.session.query(OrderFulfillment).one()
    assert stored.shipment_status == "delivered"


def test_in_transit_sends_shipped_then_delivered_sends_delivered_once_each(
    meta, post_shopify, run_jobs, shopify_integration, whatsapp_integration, templates
):
    _templates(templates, whatsapp_integration.id)
    switch_on(templates, "shipped", "pedido_enviado")
    switch_on(templates, "delivered", "pedido_entregado")
    deliveries(post_shopify, [("orders/create", paid_order())])
    deliveries(post_shopify, [("fulfillments/update", shipment("in_transit", 2))] * 3)
    run_jobs()
    deliveries(post_shopify, [("fulfillments/update", shipment("delivered", 1))] * 3)
    deliveries(post_shopify, [("fulfillments/update", shipment("in_transit", 2))] * 3)  # late, older
    run_jobs()
    assert [s["template"]["name"] for s in meta.sent] == ["pedido_enviado", "pedido_entregado"]


def test_delivered_off_or_not_delivered_sends_nothing(
    meta, post_shopify, run_jobs, shopify_integration, whatsapp_integration, templates
):
    _templates(templates, whatsapp_integration.id)
    save_automation(templates, "delivered", enabled=False, template="pedido_entregado|es_MX", delay="0")
    deliveries(post_shopify, [("orders/create", paid_order())])
    deliveries(post_shopify, [("fulfillments/update", shipment("delivered", 1))])
    run_jobs()
    assert meta.sent == []
    switch_on(templates, "delivered", "pedido_entregado")
    deliveries(post_shopify, [("fulfillments/update", shipment("out_for_delivery", 1))])
    run_jobs()
    assert meta.sent == [] and outbox_rows() == []


def test_the_orders_sync_reads_delivered_from_display_status():
    node = {"id": FULFILLMENT_GID, "name": "#1001-F1", "status": "SUCCESS", "displayStatus": "DELIVERED",
            "createdAt": "2026-12-01T10:00:00Z", "updatedAt": "2026-12-02T10:00:00Z", "trackingInfo": []}  # fmt: skip
    assert fulfillment_from_graphql(node)["shipment_status"] == "delivered"
    assert fulfillment_from_graphql({**node, "displayStatus": None})["shipment_status"] is None
