"""The Messaging page: templates, the outbox with statuses (only the workspace's own), automation settings."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.messaging.customers import customer_for
from app.models import Automation, Integration, MessageTemplate, OutboxMessage
from app.models.types import utcnow

from .conftest import csrf_token


def _setup(workspace, *, name="pedido_confirmado", body="Hola {{1}}, pedido {{2}} <b>confirmado</b>"):
    integration = Integration(workspace_id=workspace.id, platform="whatsapp", account_id=f"pn-{workspace.id}",
                              status="connected", config={"waba_id": "1"}, proved_at=utcnow())  # fmt: skip
    db.session.add(integration)
    db.session.flush()
    db.session.add(MessageTemplate(workspace_id=workspace.id, integration_id=integration.id, name=name,
                                   language="es_MX", category="utility", status="APPROVED",
                                   components=[{"type": "BODY", "text": body}]))  # fmt: skip
    customer = customer_for(workspace.id, wa_id="5215512345678", name="Ñandú Pérez")
    now = utcnow()
    db.session.add(OutboxMessage(workspace_id=workspace.id, customer_id=customer.id, integration_id=integration.id,
                                 event_key=f"order:{workspace.id}:confirmation", kind="template", template_name=name,
                                 language="es_MX", category="utility", payload={}, status="delivered", attempts=1,
                                 due_at=now, created_at=now, updated_at=now, wamid=f"wamid.{workspace.id}"))  # fmt: skip
    db.session.commit()


def test_the_page_lists_templates_and_outbox_of_this_workspace_only(auth_client, workspace, other_workspace):
    _setup(workspace)
    _setup(other_workspace, name="intruso")
    html = auth_client.get("/messaging/").get_data(as_text=True)
    assert "pedido_confirmado" in html and "intruso" not in html
    assert "Ñandú Pérez" in html and "+5215512345678" in html and ">delivered<" in html
    assert "<b>confirmado</b>" not in html  # template text is escaped
    fragment = auth_client.get("/messaging/?status=delivered", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<h1>" not in fragment.get_data(as_text=True)
    assert "order:" in fragment.get_data(as_text=True)
    empty = auth_client.get("/messaging/?status=failed", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "No messages failed yet." in empty
    unknown = auth_client.get("/messaging/?status=nonsense")  # an unknown status filters nothing
    assert unknown.status_code == 200 and "order:" in unknown.get_data(as_text=True)
    assert auth_client.get("/messaging/?status=%00").status_code == 400  # the app refuses NUL everywhere


def test_switching_an_automation_on_and_the_refusals(auth_client, workspace):
    _setup(workspace)
    token = csrf_token(auth_client, "/messaging/")
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    refused = auth_client.post("/messaging/automations/order_confirmation", headers=htmx,
                               data={"enabled": "on", "template": "missing|es_MX", "delay_minutes": "0"})  # fmt: skip
    assert refused.status_code == 422 and "approved template" in refused.get_data(as_text=True)
    bad_delay = auth_client.post(
        "/messaging/automations/shipped", data={"csrf_token": token, "delay_minutes": "x"}
    )
    assert bad_delay.status_code == 422 and "whole number" in bad_delay.get_data(as_text=True)
    ok = auth_client.post("/messaging/automations/order_confirmation", headers=htmx,
                          data={"enabled": "on", "template": "pedido_confirmado|es_MX", "delay_minutes": "5"})  # fmt: skip
    assert (
        ok.status_code == 200
        and "Saved." in ok.get_data(as_text=True)
        and "selected" in ok.get_data(as_text=True)
    )
    row = db.session.scalars(select(Automation)).one()
    assert (row.workspace_id, row.kind, row.enabled, row.template_name, row.delay_minutes) == (
        workspace.id, "order_confirmation", True, "pedido_confirmado", 5)  # fmt: skip
    plain = auth_client.post(
        "/messaging/automations/order_confirmation", data={"csrf_token": token, "delay_minutes": "0"}
    )
    assert plain.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Automation)).one().enabled is False
    assert auth_client.post("/messaging/automations/nope", data={"csrf_token": token}).status_code == 404


def test_the_page_needs_a_login(client):
    assert client.get("/messaging/").status_code in (302, 401)


def test_each_outbox_message_shows_its_market_and_price_from_the_rate_card(auth_client, workspace):
    _setup(workspace)  # a utility template delivered to a Mexican number (+52)
    html = auth_client.get("/messaging/").get_data(as_text=True)
    assert "$0.0085" in html and "Mexico" in html
    token = csrf_token(auth_client, "/settings/rates")
    auth_client.post("/settings/rates", data={"csrf_token": token, "Mexico|utility": "0.02"})
    assert "$0.0200" in auth_client.get("/messaging/").get_data(as_text=True)
