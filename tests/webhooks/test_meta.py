"""WhatsApp Cloud API and Messenger webhooks: handshake, signatures, conversations, messages, statuses, carts."""

from __future__ import annotations

import copy

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Conversation,
    Message,
    Order,
    OrderItem,
    ProductVariant,
    Reservation,
    SyncLog,
    Webhook,
    Workspace,
)
from app.queues import get_queue
from tests.webhooks.conftest import PAGE_ID, PHONE_NUMBER_ID, fixture_json

WA_ID, USER_ID = "16505551234", "US.13491208655302741918"


def conversations() -> list[Conversation]:
    return list(db.session.scalars(select(Conversation).order_by(Conversation.id)))


def messages() -> list[Message]:
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def test_handshake_echoes_challenge_for_the_right_token(client, whatsapp_integration):
    ok = client.get(
        "/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=1158201444"
    )
    assert (ok.status_code, ok.mimetype, ok.get_data(as_text=True)) == (200, "text/plain", "1158201444")
    own = client.get("/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wa-verify&hub.challenge=42")
    assert (own.status_code, own.get_data(as_text=True)) == (200, "42")
    wrong = client.get("/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42")
    assert wrong.status_code == 403 and "error" in wrong.get_json()
    assert client.get("/api/webhooks/facebook?hub.mode=subscribe&hub.verify_token=nope").status_code == 403


def test_meta_signature_with_app_or_integration_secret(post_meta, whatsapp_integration):
    body = fixture_json("meta/whatsapp_text.json")
    assert post_meta("whatsapp", body, signature="").status_code == 401
    assert post_meta("whatsapp", body, secret="wrong").status_code == 401
    assert post_meta("whatsapp", body, signature="abc").status_code == 401  # no sha256= prefix
    assert db.session.scalar(select(Webhook.id)) is None
    assert post_meta("whatsapp", body, secret="wa-own-secret").get_json() == {"status": "accepted"}


def test_text_message_creates_conversation_and_message(post_meta, whatsapp_integration, run_jobs):
    response = post_meta("whatsapp", fixture_json("meta/whatsapp_text.json"))
    assert response.get_json() == {"status": "accepted"}
    run_jobs()
    (conversation,) = conversations()
    assert (conversation.platform, conversation.channel_id, conversation.customer_key) == (
        "whatsapp", PHONE_NUMBER_ID, WA_ID)  # fmt: skip
    assert (conversation.customer_wa_id, conversation.customer_user_id) == (WA_ID, USER_ID)
    assert (conversation.customer_name, conversation.customer_phone) == ("Sheena Nelson", "+16505551234")
    assert conversation.last_inbound_at is not None
    (message,) = messages()
    assert (message.direction, message.type, message.body) == (
        "in",
        "text",
        "Hi, do you have the t-shirt in small?",
    )
    assert db.session.scalar(select(Webhook.status)) == "processed"


def test_duplicate_message_id_is_stored_once(post_meta, whatsapp_integration, run_jobs):
    body = fixture_json("meta/whatsapp_text.json")
    post_meta("whatsapp", body)
    assert post_meta("whatsapp", body).get_json() == {"status": "duplicate"}
    # The same message again inside a different envelope (a new delivery id) is still one message.
    again = copy.deepcopy(body)
    again["entry"][0]["changes"][0]["value"]["messages"].append(
        {
            **body["entry"][0]["changes"][0]["value"]["messages"][0],
            "id": "wamid.other",
            "text": {"body": "2nd"},
        }
    )
    assert post_meta("whatsapp", again).get_json() == {"status": "accepted"}
    run_jobs()
    assert [m.body for m in messages()] == ["Hi, do you have the t-shirt in small?", "2nd"]
    assert len(conversations()) == 1


def test_interactive_reply_is_stored_with_its_title(post_meta, whatsapp_integration, run_jobs):
    post_meta("whatsapp", fixture_json("meta/whatsapp_interactive.json"))
    run_jobs()
    (message,) = messages()
    assert (message.type, message.body) == ("interactive", "Yes, order it")
    assert message.payload["button_reply"]["id"] == "confirm-order"


def test_status_update_moves_outbound_message_forward_only(post_meta, whatsapp_integration, run_jobs):
    post_meta("whatsapp", fixture_json("meta/whatsapp_text.json"))
    run_jobs()
    conversation = conversations()[0]
    status = fixture_json("meta/whatsapp_status.json")
    sent_id = status["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
    db.session.add(Message(conversation_id=conversation.id, direction="out", type="text", body="Yes we do!",
                           platform_message_id=sent_id, status="sent"))  # fmt: skip
    db.session.commit()
    post_meta("whatsapp", status)
    run_jobs()
    assert (
        db.session.scalars(select(Message.status).where(Message.platform_message_id == sent_id)).one()
        == "delivered"
    )
    late_sent = copy.deepcopy(status)
    late_sent["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "sent"
    post_meta("whatsapp", late_sent)
    run_jobs()
    assert (
        db.session.scalars(select(Message.status).where(Message.platform_message_id == sent_id)).one()
        == "delivered"
    )
    assert set(db.session.scalars(select(Webhook.status))) == {"processed"}


def test_message_with_only_a_user_id(post_meta, whatsapp_integration, run_jobs):
    post_meta("whatsapp", fixture_json("meta/whatsapp_user_id_only.json"))
    run_jobs()
    (conversation,) = conversations()
    assert conversation.customer_key == "US.77712345678901234567"
    assert (conversation.customer_wa_id, conversation.customer_phone, conversation.customer_name) == (
        None,
        None,
        None,
    )
    assert messages()[0].body == "hello, I use a username"
    # A later message that carries both ids continues the same conversation and fills in the phone.
    later = fixture_json("meta/whatsapp_text.json")
    value = later["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["user_id"] = value["messages"][0]["from_user_id"] = "US.77712345678901234567"
    post_meta("whatsapp", later)
    run_jobs()
    (conversation,) = conversations()
    assert (conversation.customer_wa_id, conversation.customer_user_id) == (WA_ID, "US.77712345678901234567")
    assert len(messages()) == 2


def _seed_catalog(post_shopify, run_jobs, small_stock=75):
    from tests.webhooks.conftest import fixture_json as load

    product = load("shopify/products_create.json")
    product["variants"][0]["inventory_quantity"] = small_stock
    post_shopify("products/create", product)
    run_jobs()
    return {v.sku: v.id for v in db.session.scalars(select(ProductVariant))}


def test_order_message_creates_draft_order_with_reservations(post_meta, post_shopify, shopify_integration,
                                                             whatsapp_integration, run_jobs):  # fmt: skip
    variants = _seed_catalog(post_shopify, run_jobs)
    post_meta("whatsapp", fixture_json("meta/whatsapp_order.json"))
    run_jobs()
    order = db.session.scalars(select(Order)).one()
    assert (order.source_platform, order.status, order.conversation_id) == (
        "whatsapp",
        "draft",
        conversations()[0].id,
    )
    assert (order.customer_phone, order.currency, str(order.total_price)) == ("+16505551234", "USD", "59.97")
    items = {i.sku: (i.variant_id, i.quantity) for i in db.session.scalars(select(OrderItem))}
    assert items == {"EX-TS-S": (variants["EX-TS-S"], 2), "EX-TS-M": (variants["EX-TS-M"], 1)}
    held = {(r.variant_id, r.quantity, r.status) for r in db.session.scalars(select(Reservation))}
    assert held == {(variants["EX-TS-S"], 2, "active"), (variants["EX-TS-M"], 1, "active")}
    assert messages()[0].type == "order"


def test_order_message_out_of_stock_keeps_the_order_and_logs(post_meta, post_shopify, shopify_integration,
                                                             whatsapp_integration, run_jobs):  # fmt: skip
    variants = _seed_catalog(post_shopify, run_jobs, small_stock=1)
    post_meta("whatsapp", fixture_json("meta/whatsapp_order.json"))
    run_jobs()
    assert db.session.scalar(select(Webhook.status).order_by(Webhook.id.desc())) == "processed"
    held = {r.variant_id for r in db.session.scalars(select(Reservation))}
    assert held == {variants["EX-TS-M"]}
    errors = list(db.session.scalars(select(SyncLog.error_message).where(SyncLog.status == "error")))
    assert any("Only 1 left" in e for e in errors)


def test_agent_reply_is_enqueued_when_enabled(post_meta, whatsapp_integration, run_jobs):
    default = get_queue("default")
    post_meta("whatsapp", fixture_json("meta/whatsapp_text.json"))
    run_jobs(["webhooks"])
    assert default.get_jobs() == []  # agent not enabled for the workspace
    db.session.get(Workspace, whatsapp_integration.workspace_id).agent_enabled = True
    db.session.commit()
    post_meta("whatsapp", fixture_json("meta/whatsapp_interactive.json"))
    run_jobs(["webhooks"])
    conversation_id = conversations()[0].id
    (job,) = default.get_jobs()
    assert (job.func_name, job.args) == ("app.agent.jobs.reply", (conversation_id,))
    run_jobs()
    job.refresh()
    assert job.return_value() == "agent_off"  # the real agent job ran: no model configured in tests
    db.session.expire_all()
    assert db.session.get(Conversation, conversation_id).status == "waiting_human"


def test_unknown_phone_number_is_ignored(post_meta, run_jobs):
    assert post_meta("whatsapp", fixture_json("meta/whatsapp_text.json")).get_json() == {"status": "ignored"}
    run_jobs()
    assert db.session.scalar(select(Webhook.status)) == "ignored"
    assert conversations() == []


def test_facebook_page_message_creates_conversation(post_meta, facebook_integration, run_jobs):
    assert post_meta("facebook", fixture_json("meta/facebook_message.json")).get_json() == {
        "status": "accepted"
    }
    run_jobs()
    (conversation,) = conversations()
    assert (conversation.platform, conversation.channel_id, conversation.customer_user_id) == (
        "facebook", PAGE_ID, "6600112233445566")  # fmt: skip
    assert messages()[0].body == "Is this still available?"
    assert post_meta(
        "facebook", fixture_json("meta/facebook_message.json"), secret="fb-own-secret"
    ).get_json() == {"status": "duplicate"}


def test_malformed_meta_body_is_400(post_meta, whatsapp_integration):
    response = post_meta("whatsapp", b"{not json")
    assert response.status_code == 400
    assert db.session.scalar(select(Webhook.status)) == "failed"
