"""The Conversations pages: list with last messages, messages with tool calls, a human reply on WhatsApp."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import responses

from app.extensions import db
from app.models import Conversation, Message

from .conftest import count_queries, csrf_token

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def messages_url(app):
    return f"{app.config['META_GRAPH_BASE']}/{app.config['META_GRAPH_VERSION']}/106540352242922/messages"


@pytest.fixture
def whatsapp(workspace, factory):
    integration = factory.integration(workspace, platform="whatsapp", account_id="106540352242922",
                                      config={"phone_number_id": "106540352242922"})  # fmt: skip
    integration.set_secrets(access_token="wa-token")
    db.session.commit()
    return integration


def test_conversation_list_shows_customer_last_message_and_status(auth_client, workspace, factory):
    chat = factory.conversation(workspace, customer_name="Ana Lima", status="waiting_human")
    factory.message(chat, "Do you have it in red?")
    factory.message(chat, "Yes, in M and L.", direction="out")
    bsuid = factory.conversation(workspace, customer_name=None, customer_wa_id=None,
                                 customer_user_id="US.13491208655302741918")  # fmt: skip
    html = auth_client.get("/conversations/").get_data(as_text=True)
    assert "Ana Lima" in html and "Yes, in M and L." in html and "waiting human" in html
    assert "Do you have it in red?" not in html  # only the last message
    assert "US.13491208655302741918" in html
    html = auth_client.get("/conversations/?status=waiting_human").get_data(as_text=True)
    assert "Ana Lima" in html and "US.1349" not in html
    html = auth_client.get("/conversations/?q=lima").get_data(as_text=True)
    assert "Ana Lima" in html and f'data-conversation-id="{bsuid.id}"' not in html


def test_conversation_list_query_count_does_not_grow_with_page_size(auth_client, workspace, factory):
    for n in range(52):
        factory.message(factory.conversation(workspace), f"hello {n}")
    auth_client.get("/conversations/")
    with count_queries() as small:
        assert auth_client.get("/conversations/?per_page=10").status_code == 200
    with count_queries() as large:
        assert auth_client.get("/conversations/?per_page=50").status_code == 200
    assert len(small) == len(large)


def test_detail_shows_messages_in_order_with_tool_calls_folded(auth_client, workspace, factory):
    chat = factory.conversation(workspace)
    factory.message(chat, "Show me shirts")
    tool_calls = [{"id": "call_1", "type": "function",
                   "function": {"name": "search_products", "arguments": json.dumps({"query": "<shirt>"})}},
                  {"name": "reserve_stock", "arguments": {"variant_id": 7, "qty": 1}, "result": {"ok": True}}]  # fmt: skip
    factory.message(chat, "Here are three shirts", direction="out", tool_calls=tool_calls)
    html = auth_client.get(f"/conversations/{chat.id}").get_data(as_text=True)
    assert html.index("Show me shirts") < html.index("Here are three shirts")
    assert html.count('<details class="tool-call">') == 2
    assert "search_products" in html and "&#34;query&#34;: &#34;&lt;shirt&gt;&#34;" in html
    assert "reserve_stock" in html and "&#34;ok&#34;: true" in html


def test_conversation_of_another_workspace_is_404(auth_client, other_workspace, factory):
    chat = factory.conversation(other_workspace)
    assert auth_client.get(f"/conversations/{chat.id}").status_code == 404
    token = csrf_token(auth_client)
    response = auth_client.post(f"/conversations/{chat.id}/reply", data={"csrf_token": token, "text": "hi"})
    assert response.status_code == 404


@responses.activate
def test_human_reply_is_sent_on_whatsapp_and_recorded(
    auth_client, workspace, factory, whatsapp, messages_url
):
    chat = factory.conversation(workspace, whatsapp, status="waiting_human", customer_wa_id="16505551234")
    rsp = responses.post(messages_url, json=load("whatsapp_send_success.json"))
    response = auth_client.post(
        f"/conversations/{chat.id}/reply", data={"text": "A person here: yes, it ships today."},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'hx-swap-oob="beforeend:#messages"' in response.get_data(as_text=True)
    sent = json.loads(rsp.calls[0].request.body)
    assert sent["to"] == chat.customer_wa_id and sent["text"]["body"] == "A person here: yes, it ships today."
    db.session.expire_all()
    message = db.session.query(Message).filter_by(conversation_id=chat.id).one()
    assert message.direction == "out" and message.platform_message_id.startswith("wamid.")
    assert db.session.get(Conversation, chat.id).status == "open"


@responses.activate
def test_reply_outside_the_24_hour_window_is_refused_without_calling_meta(
    auth_client, workspace, factory, whatsapp
):
    chat = factory.conversation(workspace, whatsapp, inbound_ago=timedelta(hours=25))
    html = auth_client.get(f"/conversations/{chat.id}").get_data(as_text=True)
    assert "more than 24 hours ago" in html and '<fieldset disabled aria-describedby="reply-blocked">' in html
    response = auth_client.post(
        f"/conversations/{chat.id}/reply", data={"text": "Still there?"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )  # fmt: skip
    assert response.status_code == 409 and "more than 24 hours ago" in response.get_data(as_text=True)
    assert len(responses.calls) == 0
    assert db.session.query(Message).count() == 0


@responses.activate
def test_reply_box_is_disabled_with_a_reason_when_whatsapp_is_not_connected(
    auth_client, workspace, factory, whatsapp
):
    chat = factory.conversation(workspace, whatsapp)
    html = auth_client.get(f"/conversations/{chat.id}").get_data(as_text=True)
    assert "<fieldset disabled" not in html and 'name="text"' in html
    whatsapp.status = "error"
    db.session.commit()
    html = auth_client.get(f"/conversations/{chat.id}").get_data(as_text=True)
    assert '<fieldset disabled aria-describedby="reply-blocked">' in html
    assert "WhatsApp is not connected, so replies cannot be sent" in html and 'href="/integrations"' in html
    response = auth_client.post(
        f"/conversations/{chat.id}/reply", data={"text": "Hello?"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )  # fmt: skip
    assert response.status_code == 409 and "WhatsApp is not connected" in response.get_data(as_text=True)
    assert len(responses.calls) == 0 and db.session.query(Message).count() == 0


@responses.activate
def test_reply_meta_refuses_shows_the_merchant_message(
    auth_client, workspace, factory, whatsapp, messages_url
):
    chat = factory.conversation(workspace, whatsapp)
    responses.post(messages_url, json=load("error_131047_window.json"), status=400)
    response = auth_client.post(
        f"/conversations/{chat.id}/reply", data={"text": "Hello?"},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )  # fmt: skip
    assert response.status_code == 409
    assert "only allows an approved template" in response.get_data(as_text=True)
    assert db.session.query(Message).count() == 0


def test_empty_reply_is_a_422_with_the_form(auth_client, workspace, factory, whatsapp):
    chat = factory.conversation(workspace, whatsapp)
    response = auth_client.post(
        f"/conversations/{chat.id}/reply", data={"text": "  "},
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )  # fmt: skip
    assert response.status_code == 422 and "Write a message first." in response.get_data(as_text=True)


def test_conversation_pages_cover_every_row_including_ones_without_messages(auth_client, workspace, factory):
    names = [f"Pager {n}" for n in range(7)]
    for n, name in enumerate(names):
        chat = factory.conversation(workspace, customer_name=name)
        if n < 3:  # never got a message stored: no last_message_at
            chat.last_message_at = None
            db.session.commit()
    seen, url = [], "/conversations/?per_page=2"
    while url:
        html = auth_client.get(url).get_data(as_text=True)
        seen += [n for n in names if f">{n}</a>" in html]
        links = [part for part in html.split('href="') if part.startswith("/conversations/?cursor=")]
        url = links[0].split('"')[0].replace("&amp;", "&") if links else None
    assert sorted(seen) == sorted(names) and len(seen) == len(names)


def test_agent_hand_over_note_reads_as_a_note_not_an_empty_bubble(auth_client, workspace, factory):
    from app.agent.jobs import _wait_for_human  # how the agent stores it: no body, failed, error, in_reply_to

    chat = factory.conversation(workspace, customer_name="Bia Costa")
    asked = factory.message(chat, "I want a refund")
    _wait_for_human(chat, "The customer asks for a refund <order #1001>.", None, asked.id)
    failed_send = factory.message(chat, "Your order shipped", direction="out")
    failed_send.status, failed_send.error = "failed", "WhatsApp: recipient unavailable"
    db.session.commit()

    html = auth_client.get(f"/conversations/{chat.id}").get_data(as_text=True)
    assert "Agent handed over:</strong> The customer asks for a refund &lt;order #1001&gt;." in html
    assert "[text]" not in html  # no empty bubble
    assert (
        "Your order shipped" in html and "WhatsApp: recipient unavailable" in html
    )  # a real failure stays one

    db.session.delete(failed_send)
    db.session.commit()
    listing = auth_client.get("/conversations/").get_data(as_text=True)
    assert "Agent handed over:</span> The customer asks for a refund &lt;order #1001&gt;." in listing
