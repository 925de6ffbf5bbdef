"""The settings pages: notification settings and the agent switch/model, validated on the server."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Workspace
from tests import fake_dns

from .conftest import csrf_token


def _htmx(client):
    return {"HX-Request": "true", "X-CSRFToken": csrf_token(client)}


def test_settings_page_shows_both_forms_with_labels(auth_client):
    html = auth_client.get("/settings/").get_data(as_text=True)
    assert "Notification webhook URL" in html and "Notification email" in html
    assert "Agent answers customers" in html and "Model" in html and "API tokens" in html


def test_notification_settings_are_saved(auth_client, workspace):
    response = auth_client.post(
        "/settings/notifications", data={"webhook_url": "https://hooks.example.com/wagents", "email": "Ops@Shop.com"},
        headers=_htmx(auth_client),
    )  # fmt: skip
    assert response.status_code == 200 and "Notification settings saved." in response.get_data(as_text=True)
    db.session.expire_all()
    ws = db.session.get(Workspace, workspace.id)
    assert ws.notification_webhook_url == "https://hooks.example.com/wagents"
    assert ws.notification_email == "ops@shop.com"


def test_invalid_notification_settings_answer_422_with_field_errors(auth_client, workspace):
    response = auth_client.post(
        "/settings/notifications", data={"webhook_url": "http://insecure.example.com/x", "email": "not-an-email"},
        headers=_htmx(auth_client),
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use an https:// address." in html and "Enter an email address." in html
    assert 'id="notifications-settings"' in html and "<html" not in html
    db.session.expire_all()
    assert db.session.get(Workspace, workspace.id).notification_email is None


def test_agent_settings_turn_on_with_a_model(app, auth_client, workspace, monkeypatch):
    monkeypatch.setitem(app.config, "OPENAI_API_KEY", "sk-test")
    response = auth_client.post(
        "/settings/agent", data={"enabled": "y", "model": "gpt-4o-mini", "instructions": "Be brief."},
        headers=_htmx(auth_client),
    )  # fmt: skip
    assert response.status_code == 200
    db.session.expire_all()
    ws = db.session.get(Workspace, workspace.id)
    assert (
        ws.agent_enabled is True and ws.agent_model == "gpt-4o-mini" and ws.agent_instructions == "Be brief."
    )
    # Unchecked box: off again.
    auth_client.post("/settings/agent", data={"model": "gpt-4o-mini"}, headers=_htmx(auth_client))
    db.session.expire_all()
    assert db.session.get(Workspace, workspace.id).agent_enabled is False


def test_agent_cannot_be_switched_on_without_a_model_key(app, auth_client, workspace, monkeypatch):
    monkeypatch.setitem(app.config, "OPENAI_API_KEY", None)
    page = auth_client.get("/settings/").get_data(as_text=True)
    assert "no model key is configured" in page and "OPENAI_API_KEY" in page
    response = auth_client.post(
        "/settings/agent", data={"enabled": "y", "model": "gpt-4o-mini"}, headers=_htmx(auth_client)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "The agent cannot be switched on: no model key" in html
    db.session.expire_all()
    assert db.session.get(Workspace, workspace.id).agent_enabled is False
    # Off (or the model and instructions alone) still saves.
    response = auth_client.post(
        "/settings/agent",
        data={"model": "gpt-4o-mini", "instructions": "Be brief."},
        headers=_htmx(auth_client),
    )
    assert response.status_code == 200
    # A workspace switched on before the key went away is told its agent cannot answer.
    ws = db.session.get(Workspace, workspace.id)
    ws.agent_enabled = True
    db.session.commit()
    assert "The agent is switched on but cannot answer" in auth_client.get("/settings/").get_data(
        as_text=True
    )


def test_agent_settings_need_a_model_and_reject_bad_names(auth_client, workspace):
    response = auth_client.post(
        "/settings/agent", data={"enabled": "y", "model": ""}, headers=_htmx(auth_client)
    )
    assert response.status_code == 422 and "Choose a model" in response.get_data(as_text=True)
    response = auth_client.post(
        "/settings/agent", data={"enabled": "y", "model": "gpt 4; drop"}, headers=_htmx(auth_client)
    )
    assert response.status_code == 422 and "Letters, digits" in response.get_data(as_text=True)
    response = auth_client.post(
        "/settings/agent", data={"instructions": "x" * 4001}, headers=_htmx(auth_client)
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Workspace, workspace.id).agent_enabled is False


def test_settings_without_js_redirect_on_success_and_rerender_page_on_error(auth_client, workspace):
    token = csrf_token(auth_client)
    response = auth_client.post("/settings/notifications", data={"csrf_token": token, "email": "a@b.co"})
    assert response.status_code == 302
    response = auth_client.post("/settings/agent", data={"csrf_token": token, "enabled": "y"})
    assert response.status_code == 422 and "<html" in response.get_data(as_text=True)


def test_settings_require_csrf(auth_client):
    response = auth_client.post("/settings/notifications", data={"email": "a@b.co"})
    assert response.status_code in (400, 422)


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1:8443/hook", "https://169.254.169.254/latest/meta-data/", "https://10.1.2.3/x",
     "https://[::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://loopback.evil.test/hook"],
)  # fmt: skip
def test_notification_url_to_an_internal_address_is_refused_with_a_clear_message(
    auth_client, workspace, monkeypatch, url
):
    fake_dns.install(monkeypatch, {"loopback.evil.test": "127.0.0.1"})
    response = auth_client.post(
        "/settings/notifications", data={"webhook_url": url, "email": ""}, headers=_htmx(auth_client)
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Use a public internet address" in html or "Enter a full URL" in html
    db.session.expire_all()
    assert db.session.get(Workspace, workspace.id).notification_webhook_url is None


def test_notification_url_checks_name_resolution_and_honours_the_opt_out(
    app, auth_client, workspace, monkeypatch
):
    fake_dns.install(monkeypatch, {"loopback.evil.test": "127.0.0.1", "hooks.merchant.test": "93.184.215.14"})
    response = auth_client.post(
        "/settings/notifications",
        data={"webhook_url": "https://loopback.evil.test/hook"},
        headers=_htmx(auth_client),
    )
    assert response.status_code == 422
    assert (
        "Use a public internet address: loopback.evil.test is a loopback address (127.0.0.1)."
        in response.get_data(as_text=True)
    )
    ok = auth_client.post(
        "/settings/notifications",
        data={"webhook_url": "https://hooks.merchant.test/h"},
        headers=_htmx(auth_client),
    )
    assert ok.status_code == 200
    monkeypatch.setitem(app.config, "NOTIFY_ALLOW_PRIVATE", True)
    inside = auth_client.post(
        "/settings/notifications",
        data={"webhook_url": "https://loopback.evil.test/hook"},
        headers=_htmx(auth_client),
    )
    assert inside.status_code == 200
    db.session.expire_all()
    assert (
        db.session.get(Workspace, workspace.id).notification_webhook_url == "https://loopback.evil.test/hook"
    )
