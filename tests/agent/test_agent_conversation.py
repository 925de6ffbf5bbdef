"""A full WhatsApp sale against a local fake OpenAI server: search -> availability -> product card -> order."""

import json

import pytest
import responses
from fake_openai_server import calls, say, tool_results

from app import inventory
from app.extensions import db
from app.models import Conversation, Message, Order, Reservation
from app.queues import enqueue

MESSAGES_URL = "https://graph.facebook.com/v25.0/106540352242922/messages"


def send_ok(message_id: str) -> dict:
    """The Cloud API's answer to a send (shape of tests/fixtures/meta/whatsapp_send_success.json)."""
    return {"messaging_product": "whatsapp", "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
            "messages": [{"id": message_id}]}  # fmt: skip


@pytest.fixture
def shop(workspace, make_product, db):
    workspace.agent_enabled = True
    db.session.commit()
    make_product(workspace, "Leather Boot", product_type="Shoes", variants=[{"price": "150.00", "qty": 2}])
    return make_product(workspace, "Trail Running Shoe", vendor="Salomon", product_type="Shoes", variants=[
        {"sku": "TRS-42", "price": "89.00", "qty": 3, "title": "42", "options": {"Size": "42"},
         "shopify_id": "gid://shopify/ProductVariant/44042"},
        {"sku": "TRS-43", "price": "89.00", "qty": 0, "title": "43", "options": {"Size": "43"},
         "shopify_id": "gid://shopify/ProductVariant/44043"},
    ])  # fmt: skip


def _size_42(body):
    product = tool_results(body)[0]["products"][0]
    variant = next(v for v in product["variants"] if v["options"].get("Size") == "42")
    return product, variant


def test_customer_buys_a_product_through_the_agent(
    workspace, shop, make_conversation, inbound, fake_openai, rsps, run_jobs
):
    conversation = make_conversation(workspace)
    conversation_id, workspace_id, v42_id = conversation.id, workspace.id, shop.variants[0].id
    sent_ids = iter(range(1, 100))
    rsps.add_callback(responses.POST, MESSAGES_URL, content_type="application/json",
                      callback=lambda request: (200, {}, json.dumps(send_ok(f"wamid.OUT{next(sent_ids)}"))))  # fmt: skip
    search_args = {"query": "trail running shoes", "category": None, "price_min": None, "price_max": None,
                   "in_stock_only": True, "limit": 3}  # fmt: skip

    chosen = {}

    def check_and_show(body):
        product, variant = _size_42(body)
        chosen.update(variant)
        return calls(
            ("check_availability", {"variant_id": variant["variant_id"], "sku": None, "quantity": 1}),
            ("whatsapp_send_product", {"product_id": product["product_id"], "variant_id": variant["variant_id"],
                                       "body": "Trail Running Shoe, size 42"}),
        )  # fmt: skip

    def order(body):
        assert any("check_availability" in m["content"] for m in body["messages"] if m["role"] == "system")
        return calls(("create_order", {"items": [{"variant_id": chosen["variant_id"], "sku": None, "quantity": 1}],
                                        "customer_name": "Ana"}))  # fmt: skip

    def confirm(body):
        placed = tool_results(body)[0]
        return say(
            f"Done! Order {placed['order_id']}: 1 x Trail Running Shoe 42, total {placed['total']} EUR."
        )

    fake_openai.script = [
        calls(("product_search", search_args)),
        check_and_show,
        say("Yes! The Trail Running Shoe in size 42 is in stock at 89.00 EUR. Shall I reserve a pair?"),
        order,
        confirm,
    ]

    inbound(conversation, "Hi! Do you have trail running shoes in size 42?")
    enqueue("agent.reply", conversation.id)
    run_jobs(["default"])
    # The worker closes the session after each job: reload what the test holds.
    conversation = db.session.get(Conversation, conversation_id)
    inbound(conversation, "Yes please, one pair")
    enqueue("agent.reply", conversation_id)
    run_jobs(["default"])

    # The model saw the strict tools, the shop's prompt and, on the second turn, the first answer.
    first, *_, last = fake_openai.requests
    assert first["model"] == "fake-model" and len(first["tools"]) == 12
    assert all(t["function"]["strict"] for t in first["tools"])
    assert first["messages"][0]["role"] == "system" and "Shop 1" in first["messages"][0]["content"]
    assert any(
        "Shall I reserve" in (m.get("content") or "") for m in last["messages"] if m["role"] == "assistant"
    )

    # Stock: the order holds one pair; available drops from 3 to 2.
    order_row = db.session.query(Order).one()
    assert (order_row.source_platform, order_row.status, order_row.conversation_id) == ("agent", "draft",
                                                                                        conversation_id)  # fmt: skip
    hold = db.session.query(Reservation).filter_by(order_id=order_row.id).one()
    assert (hold.variant_id, hold.quantity, hold.status) == (v42_id, 1, "active")
    assert inventory.available(workspace_id, v42_id) == 2

    # At the HTTP boundary: a product card, then two text replies, all to the customer.
    bodies = [json.loads(c.request.body) for c in rsps.calls]
    assert [b["type"] for b in bodies] == ["interactive", "text", "text"]
    assert all(b["to"] == "16505551234" for b in bodies)
    assert bodies[0]["interactive"]["action"]["product_retailer_id"] == "variant-44042"
    assert "reserve a pair" in bodies[1]["text"]["body"]
    assert f"Order {order_row.id}" in bodies[2]["text"]["body"] and "89.00" in bodies[2]["text"]["body"]

    # Stored on the conversation, with the tool calls and their results on the answers.
    messages = db.session.query(Message).filter_by(conversation_id=conversation_id).order_by(Message.id).all()
    assert [(m.direction, m.type, m.status) for m in messages] == [
        ("in", "text", "received"), ("out", "interactive", "sent"), ("out", "text", "sent"),
        ("in", "text", "received"), ("out", "text", "sent"),
    ]  # fmt: skip
    assert [c["name"] for c in messages[2].tool_calls] == ["product_search", "check_availability",
                                                            "whatsapp_send_product"]  # fmt: skip
    assert messages[2].tool_calls[1]["result"]["can_sell"] is True
    assert messages[4].tool_calls[0]["name"] == "create_order"
    assert messages[4].tool_calls[0]["result"]["order_id"] == order_row.id
    assert [m.platform_message_id for m in messages if m.direction == "out"] == ["wamid.OUT1", "wamid.OUT2",
                                                                               "wamid.OUT3"]  # fmt: skip
    assert db.session.get(Conversation, conversation_id).status == "open"
