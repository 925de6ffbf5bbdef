"""Template sync: every page of `GET /{waba-id}/message_templates`, on the hourly schedule and on the
`message_template_status_update` webhook."""

from __future__ import annotations

import pytest
import responses
from responses import matchers
from sqlalchemy import select

from app.extensions import db
from app.messaging.templates import sync_all_templates, sync_templates
from app.models import Integration, MessageTemplate
from app.schedule import SCHEDULES
from tests.messaging.conftest import GRAPH

WABA = "102290129340398"
LIST_URL = f"{GRAPH}/{WABA}/message_templates"


def template(n, status="APPROVED", category="UTILITY", language="es_MX"):
    return {
        "name": f"order_update_{n}", "language": language, "status": status, "category": category, "id": str(9000 + n),
        "components": [{"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} está en camino 🚚",
                        "example": {"body_text": [["Ana", "#1001"]]}}],
    }  # fmt: skip


def pages(mock, items, per_page):
    """Meta's paging: `cursors.after` on every page, `next` on all but the last."""
    chunks = [items[i : i + per_page] for i in range(0, len(items), per_page)] or [[]]
    for i, chunk in enumerate(chunks):
        paging = {"cursors": {"before": f"b{i}", "after": f"a{i}"}}
        if i < len(chunks) - 1:
            paging["next"] = f"{LIST_URL}?after=a{i}&limit=100"
        params = {"after": f"a{i - 1}"} if i else {}
        mock.get(LIST_URL, json={"data": chunk, "paging": paging},
                 match=[matchers.query_param_matcher({"fields": "id,name,language,category,status,components",
                                                      "limit": "100", **params})])  # fmt: skip


@pytest.fixture
def waba_integration(whatsapp_integration):
    integration = db.session.get(Integration, whatsapp_integration.id)
    integration.config = {"waba_id": WABA}
    db.session.commit()
    return whatsapp_integration


def stored():
    db.session.expire_all()
    rows = db.session.scalars(
        select(MessageTemplate).order_by(MessageTemplate.name, MessageTemplate.language)
    )
    return [(t.name, t.language, t.status, t.category) for t in rows]


def test_every_page_is_read_and_the_stored_set_matches_meta(waba_integration):
    listed = [template(n) for n in range(250)] + [
        template(1, language="en_US", status="PENDING", category="MARKETING")
    ]
    with responses.RequestsMock() as mock:
        pages(mock, listed, 100)
        assert sync_templates(waba_integration.id) == 251
    found = stored()
    assert len(found) == 251 and ("order_update_1", "en_US", "PENDING", "marketing") in found
    row = db.session.scalars(select(MessageTemplate).where(MessageTemplate.name == "order_update_249")).one()
    assert row.components[0]["text"].endswith("🚚") and row.meta_id == "9249"
    with responses.RequestsMock() as mock:  # one deleted in WhatsApp Manager, one paused
        pages(mock, [template(0, status="PAUSED")] + [template(n) for n in range(2, 250)], 100)
        assert sync_templates(waba_integration.id) == 249
    found = stored()
    assert len(found) == 249 and ("order_update_0", "es_MX", "PAUSED", "utility") in found
    assert not any(name == "order_update_1" for name, *_ in found)


def test_a_meta_error_keeps_the_stored_templates(waba_integration):
    with responses.RequestsMock() as mock:
        pages(mock, [template(1)], 100)
        sync_templates(waba_integration.id)
    with responses.RequestsMock() as mock:
        mock.get(
            LIST_URL, status=400, json={"error": {"message": "Invalid OAuth access token.", "code": 190}}
        )
        with pytest.raises(Exception, match="190"):
            sync_templates(waba_integration.id)
    db.session.rollback()
    assert stored() == [("order_update_1", "es_MX", "APPROVED", "utility")]


def test_the_hourly_schedule_syncs_every_connected_account(waba_integration, run_jobs):
    (entry,) = [s for s in SCHEDULES if s.job == "messaging.sync_all_templates"]
    assert entry.cron == "41 * * * *"
    with responses.RequestsMock() as mock:
        pages(mock, [template(1), template(2)], 1)
        assert sync_all_templates() == 1
        run_jobs()
    assert len(stored()) == 2


def test_the_template_status_webhook_updates_and_resyncs(waba_integration, post_meta, run_jobs):
    with responses.RequestsMock() as mock:
        pages(mock, [template(1, status="PENDING")], 100)
        sync_templates(waba_integration.id)
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA, "time": 1764800000, "changes": [{"field": "message_template_status_update", "value": {
            "event": "APPROVED", "message_template_id": 9001, "message_template_name": "order_update_1",
            "message_template_language": "es_MX", "reason": "NONE"}}]}],
    }  # fmt: skip
    assert post_meta("whatsapp", body).get_json() == {"status": "accepted"}
    with responses.RequestsMock() as mock:
        pages(mock, [template(1), template(2)], 100)  # the re-read after the webhook
        run_jobs()
    assert stored() == [
        ("order_update_1", "es_MX", "APPROVED", "utility"),
        ("order_update_2", "es_MX", "APPROVED", "utility"),
    ]
