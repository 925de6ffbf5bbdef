"""The Demo phone page: only for a workspace wired to the stand-in number; shows what the customer received and
sends what is typed as the customer's WhatsApp message."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Message
from app.models.scoping import WorkspaceScope
from app.services import demo_phone as service
from tests.conftest import log_in
from tests.web.conftest import csrf_token


def _client(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def test_the_page_and_its_menu_entry_exist_only_for_the_stand_in(app, user, phone, run_jobs):
    client = _client(app, user)
    assert client.get("/demo-phone/").status_code == 404
    assert "Demo phone" not in client.get("/messaging/").get_data(as_text=True)
    service.wire(WorkspaceScope(user.workspace_id), phone)
    page = client.get("/demo-phone/")
    assert page.status_code == 200 and "+1 555-010-0100" in page.get_data(as_text=True)
    assert 'href="/demo-phone/"' in client.get("/messaging/").get_data(as_text=True)
    assert client.get("/demo-phone/?customer=999").status_code == 404


def test_typing_as_the_customer_reaches_the_inbox_and_empty_text_is_a_422(app, user, phone, run_jobs):
    service.wire(WorkspaceScope(user.workspace_id), phone)
    client = _client(app, user)
    token = csrf_token(client, "/demo-phone/")
    empty = client.post(
        "/demo-phone/messages", data={"text": "  ", "csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert empty.status_code == 422 and "Type a message first." in empty.get_data(as_text=True)
    sent = client.post(
        "/demo-phone/messages",
        data={"text": "Do you ship to Lisbon?", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert sent.status_code == 200 and "Do you ship to Lisbon?" in sent.get_data(as_text=True)
    run_jobs()
    assert db.session.scalars(select(Message.body)).all() == ["Do you ship to Lisbon?"]
    plain = client.post("/demo-phone/messages", data={"text": "Thanks", "csrf_token": token})
    assert plain.status_code == 302
