"""The holder rule for WhatsApp numbers and Facebook pages: only an integration whose credentials Meta answered
for routes that account's deliveries; a row another workspace merely added (even with an app secret of its own
choosing) receives nothing, and connecting an account another workspace uses is refused."""

from __future__ import annotations

import copy
import json

import pytest
import responses
from sqlalchemy import func, select

from app.integrations.hold import HELD_ELSEWHERE
from app.models import Conversation, Webhook
from app.platforms.signatures import sign_meta_body

from .conftest import GRAPH, load
from .test_meta_connect import FACEBOOK, WHATSAPP

PAGE_ID = "112233445566778"  # the page of the Messenger fixture
CONNECT = {"whatsapp": WHATSAPP, "facebook": {**FACEBOOK, "page_id": PAGE_ID}}
ACCOUNT = {"whatsapp": ("phone_number_id", WHATSAPP["phone_number_id"]), "facebook": ("page_id", PAGE_ID)}
FIXTURE = {"whatsapp": "whatsapp_text.json", "facebook": "facebook_message.json"}


def message(platform: str, n: int) -> dict:
    """The platform's sample inbound message, with a message id of its own per `n`."""
    body = copy.deepcopy(load("webhooks/meta", FIXTURE[platform]))
    entry = body["entry"][0]
    if platform == "whatsapp":
        entry["changes"][0]["value"]["messages"][0]["id"] = f"wamid.holder-test-{n}"
    else:
        entry["messaging"][0]["message"]["mid"] = f"m_holder-test-{n}"
    return body


def deliver(client, platform: str, body: dict, secret: str = "test-meta-secret"):
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign_meta_body(secret, raw)}
    return client.post(f"/api/webhooks/{platform}", data=raw, headers=headers)


def answer_connect_test(rsps, platform: str) -> None:
    if platform == "whatsapp":
        rsps.add(
            responses.GET,
            f"{GRAPH}/{WHATSAPP['phone_number_id']}",
            json=load("meta", "whatsapp_phone_number.json"),
        )
    else:
        rsps.add(responses.GET, f"{GRAPH}/{FACEBOOK['catalog_id']}", json=load("meta", "catalog.json"))


def conversations(db) -> list[int]:
    return list(db.session.scalars(select(Conversation.workspace_id)))


@pytest.mark.parametrize("platform", ["whatsapp", "facebook"])
def test_meta_deliveries_reach_only_an_integration_meta_answered_for(
    platform, api_client, workspace, intruder, db, rsps, run_jobs
):
    ws_id = workspace.id
    intruder_ws = intruder.workspace_id
    intruder = intruder.api
    field, account = ACCOUNT[platform]
    added = intruder.post("/api/integrations", json={"platform": platform, field: account})
    assert added.status_code == 201
    row_id = added.get_json()["integration"]["id"]
    assert (
        intruder.patch(f"/api/integrations/{row_id}", json={"app_secret": "intruder-secret"}).status_code
        == 200
    )

    assert deliver(api_client, platform, message(platform, 1)).get_json() == {"status": "ignored"}
    assert deliver(api_client, platform, message(platform, 2), secret="intruder-secret").status_code == 401
    run_jobs()
    assert conversations(db) == []

    answer_connect_test(rsps, platform)
    assert api_client.post("/api/integrations", json=CONNECT[platform]).status_code == 201
    assert deliver(api_client, platform, message(platform, 3)).get_json() == {"status": "accepted"}
    run_jobs()

    assert conversations(db) == [ws_id]
    count = select(func.count()).select_from(Webhook).where(Webhook.workspace_id == intruder_ws)
    assert db.session.scalar(count) == 0


@pytest.mark.parametrize("platform", ["whatsapp", "facebook"])
def test_connecting_a_meta_account_another_workspace_uses_is_refused(platform, api_client, intruder, rsps):
    intruder = intruder.api
    answer_connect_test(rsps, platform)
    assert api_client.post("/api/integrations", json=CONNECT[platform]).status_code == 201
    calls = len(rsps.calls)

    refused = intruder.post("/api/integrations", json=CONNECT[platform])

    assert refused.status_code == 409
    assert refused.get_json()["error"] == HELD_ELSEWHERE[platform]
    assert len(rsps.calls) == calls  # refused before asking Meta
