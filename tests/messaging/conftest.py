"""WhatsApp follow-up tests: inbound messages and status webhooks shaped like the Cloud API's, and a stand-in
Meta at the HTTP boundary (`responses`) that answers sends the way Meta does."""

from __future__ import annotations

import copy
import itertools
import json
import time

import pytest
import responses

from tests.webhooks.conftest import (  # noqa: F401  (fixtures)
    PHONE_NUMBER_ID,
    fixture_json,
    post_meta,
    post_shopify,
    shopify_integration,
    whatsapp_integration,
)

WA_ID, USER_ID = "16505551234", "US.13491208655302741918"
GRAPH = "https://graph.facebook.com/v25.0"
SEND_URL = f"{GRAPH}/{PHONE_NUMBER_ID}/messages"
_ids = itertools.count(1)


def inbound(text=None, *, kind="text", wa_id=WA_ID, user_id=USER_ID, at=None, message_id=None, button=None):
    """A WhatsApp `messages` webhook with one inbound message from the customer."""
    body = fixture_json("meta/whatsapp_text.json")
    value = body["entry"][0]["changes"][0]["value"]
    message = value["messages"][0]
    message["id"] = message_id or f"wamid.in.{next(_ids)}"
    message["timestamp"] = str(int(at if at is not None else time.time()))
    message["type"] = kind
    message.pop("text")
    if kind == "text":
        message["text"] = {"body": text}
    elif kind == "button":
        message["button"] = button or {"payload": text, "text": text}
    if wa_id is None:
        message.pop("from")
        value["contacts"][0].pop("wa_id")
    else:
        message["from"] = value["contacts"][0]["wa_id"] = wa_id
    if user_id is None:
        message.pop("from_user_id")
        value["contacts"][0].pop("user_id")
    else:
        message["from_user_id"] = value["contacts"][0]["user_id"] = user_id
    return body


def status_body(wamid, state, *, callback=None, code=None, title=None):
    body = copy.deepcopy(fixture_json("meta/whatsapp_status.json"))
    status = body["entry"][0]["changes"][0]["value"]["statuses"][0]
    status.update({"id": wamid, "status": state, "timestamp": str(int(time.time()))})
    if callback is not None:
        status["biz_opaque_callback_data"] = callback
    if code is not None:
        status["errors"] = [{"code": code, "title": title or "error", "message": title or "error"}]
    return body


class StandInMeta:
    """Records every send and answers like the Cloud API: a wamid per accepted message, or the error queued
    with `fail_next(code)`."""

    def __init__(self, mock: responses.RequestsMock):
        self.sent: list[dict] = []
        self.failures: list[tuple[int, int, str]] = []
        self.counter = itertools.count(1)
        mock.add_callback(responses.POST, SEND_URL, callback=self._answer)

    def fail_next(self, code: int, *, status: int = 400, message: str = "error", times: int = 1):
        self.failures.extend([(code, status, message)] * times)

    def _answer(self, request):
        body = json.loads(request.body)
        if self.failures:
            code, status, message = self.failures.pop(0)
            error = {"message": message, "type": "OAuthException", "code": code,
                     "error_data": {"messaging_product": "whatsapp", "details": message}, "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"}  # fmt: skip
            return status, {}, json.dumps({"error": error})
        self.sent.append(body)
        wamid = f"wamid.out.{next(self.counter)}"
        answer = {"messaging_product": "whatsapp", "contacts": [{"input": body.get("to") or body.get("recipient"),
                  "wa_id": body.get("to") or ""}], "messages": [{"id": wamid, "message_status": "accepted"}]}  # fmt: skip
        return 200, {}, json.dumps(answer)


@pytest.fixture
def meta():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield StandInMeta(mock)
