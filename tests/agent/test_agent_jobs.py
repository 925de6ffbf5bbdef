"""The reply job: agent off, the 24-hour window, one reply at a time, bounded loops, model failures."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from fake_openai_server import calls, say

from app.agent import jobs
from app.extensions import db
from app.models import Conversation, Message
from app.queues import get_redis

MESSAGES_URL = "https://graph.facebook.com/v25.0/106540352242922/messages"
SEND_OK = {"messaging_product": "whatsapp", "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
           "messages": [{"id": "wamid.AGENT"}]}  # fmt: skip


@pytest.fixture
def chat(workspace, make_conversation, inbound):
    workspace.agent_enabled = True
    db.session.commit()
    conversation = make_conversation(workspace)
    inbound(conversation, "Hello?")
    return conversation


def outbound(conversation_id):
    return db.session.query(Message).filter_by(conversation_id=conversation_id, direction="out").all()


def status(conversation_id):
    db.session.expire_all()
    return db.session.get(Conversation, conversation_id).status


def test_without_an_api_key_the_conversation_waits_for_a_human(chat, rsps):
    assert jobs.reply(chat.id) == "agent_off"
    assert status(chat.id) == "waiting_human" and not rsps.calls and outbound(chat.id) == []


def test_disabled_agent_does_not_answer(chat, fake_openai, workspace):
    workspace.agent_enabled = False
    db.session.commit()
    assert jobs.reply(chat.id) == "agent_off" and fake_openai.requests == []


def test_outside_the_24_hour_window_nothing_is_sent(workspace, make_conversation, fake_openai, rsps, db):
    workspace.agent_enabled = True
    conversation = make_conversation(workspace, inbound_ago=timedelta(hours=25))
    db.session.add(Message(conversation_id=conversation.id, direction="in", body="hi", status="received"))
    db.session.commit()
    assert jobs.reply(conversation.id) == "window_closed"
    assert not rsps.calls and fake_openai.requests == []
    [note] = outbound(conversation.id)
    assert note.status == "failed" and "24-hour" in note.error
    assert status(conversation.id) == "waiting_human"


def test_answers_once_and_is_safe_to_run_twice(chat, fake_openai, rsps):
    rsps.post(MESSAGES_URL, json=SEND_OK)
    fake_openai.script = [say("Hi Ana! How can I help?")]
    assert jobs.reply(chat.id) == "sent"
    assert jobs.reply(chat.id) == "nothing_to_answer"
    assert len(rsps.calls) == 1 and len(fake_openai.requests) == 1
    [answer] = outbound(chat.id)
    assert (answer.body, answer.status, answer.platform_message_id) == (
        "Hi Ana! How can I help?",
        "sent",
        "wamid.AGENT",
    )


def test_one_reply_at_a_time_and_a_waiting_message_is_answered_after(chat, fake_openai, rsps, inbound, app):
    lock = get_redis().lock(f"agent:reply:{chat.id}", timeout=60)
    assert lock.acquire(blocking=False)
    assert jobs.reply(chat.id) == "busy"
    assert fake_openai.requests == [] and get_redis().exists(f"agent:reply:{chat.id}:again")
    lock.release()

    ids = iter(range(1, 10))
    rsps.add_callback(responses.POST, MESSAGES_URL, content_type="application/json",
                      callback=lambda r: (200, {}, json.dumps({**SEND_OK, "messages": [{"id": f"wamid.{next(ids)}"}]})))  # fmt: skip
    conversation_id = chat.id
    second = {"n": 0}

    def answer_then_new_message(body):
        # While the model answers, the customer writes again and a second job finds the lock taken.
        if second["n"] == 0:
            with app.app_context():  # the fake server's thread: its own session, like a second worker
                inbound(db.session.get(Conversation, conversation_id), "Also, do you ship to Lisbon?")
                assert jobs.reply(conversation_id) == "busy"
                db.session.remove()
        second["n"] += 1
        return say(f"Answer {second['n']}")

    fake_openai.script = [answer_then_new_message, answer_then_new_message]
    assert jobs.reply(chat.id) == "sent"
    assert [m.body for m in outbound(conversation_id)] == ["Answer 1", "Answer 2"]
    assert not get_redis().exists(f"agent:reply:{conversation_id}")


def test_tool_loop_is_bounded_and_every_call_is_recorded(chat, fake_openai, rsps, app):
    rsps.post(MESSAGES_URL, json=SEND_OK)
    bad = ("product_search", '{"query": ')  # invalid JSON: the model gets an error back, the loop goes on
    fake_openai.script = [calls(bad)] * 6 + [say("Sorry, I could not search right now.")]
    assert jobs.reply(chat.id) == "sent"
    assert len(fake_openai.requests) == 7
    assert fake_openai.requests[-1]["tool_choice"] == "none"
    [answer] = outbound(chat.id)
    assert len(answer.tool_calls) == 6
    assert answer.tool_calls[0]["result"]["error"]["type"] == "invalid_json"
    tool_message = fake_openai.requests[1]["messages"][-1]
    assert (
        tool_message["role"] == "tool"
        and json.loads(tool_message["content"])["error"]["type"] == "invalid_json"
    )


def test_model_failure_hands_over_to_a_human(chat, fake_openai, rsps):
    fake_openai.status = 500
    assert jobs.reply(chat.id) == "model_error"
    assert not rsps.calls and status(chat.id) == "waiting_human"
    [note] = outbound(chat.id)
    assert note.status == "failed" and "Agent error" in note.error


def test_handoff_then_the_agent_keeps_out(chat, fake_openai, rsps, inbound):
    rsps.post(MESSAGES_URL, json=SEND_OK)
    fake_openai.script = [calls(("handoff_to_human", {"reason": "Asks for a refund"})),
                          say("A colleague will answer you shortly.")]  # fmt: skip
    assert jobs.reply(chat.id) == "sent"
    assert status(chat.id) == "waiting_human"
    inbound(db.session.get(Conversation, chat.id), "Hello??")
    assert jobs.reply(chat.id) == "human" and len(fake_openai.requests) == 2


def test_window_closed_answer_from_meta_marks_waiting_human(chat, fake_openai, rsps):
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "meta" / "error_131047_window.json"
    error = json.loads(fixture.read_text())
    rsps.add(responses.POST, MESSAGES_URL, json=error, status=400)
    fake_openai.script = [say("Here you go")]
    assert jobs.reply(chat.id) == "send_failed"
    [answer] = outbound(chat.id)
    assert answer.status == "failed" and answer.body == "Here you go" and answer.error
    assert status(chat.id) == "waiting_human"
