"""WhatsApp and Facebook catalog connect: one Graph call proves the credentials before anything is stored."""

from __future__ import annotations

import responses
from sqlalchemy import select

from app.models import Integration

from .conftest import GRAPH, csrf_token, load

PHONE_ID = "106540352242922"
WHATSAPP = {
    "platform": "whatsapp",
    "phone_number_id": PHONE_ID,
    "waba_id": "102290129340398",
    "access_token": "EAAGwa-secret-token-123",
    "app_secret": "wa-app-secret-456",
    "verify_token": "wa-verify-789",
}
FACEBOOK = {
    "platform": "facebook",
    "catalog_id": "1234567890123456",
    "page_id": "998877665544",
    "access_token": "EAAGfb-secret-token-321",
    "app_secret": "fb-app-secret-654",
}


def test_whatsapp_connects_after_reading_the_phone_number(api_client, db, rsps):
    rsps.add(responses.GET, f"{GRAPH}/{PHONE_ID}", json=load("meta", "whatsapp_phone_number.json"))

    response = api_client.post("/api/integrations", json=WHATSAPP)

    assert response.status_code == 201
    body = response.get_json()["integration"]
    assert body["status"] == "connected" and body["display_name"] == "Casa Nova"
    assert body["account_id"] == PHONE_ID and body["config"]["waba_id"] == WHATSAPP["waba_id"]
    assert body["access_token_set"] and body["app_secret_set"] and body["verify_token_set"]
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {WHATSAPP['access_token']}"
    integration = db.session.get(Integration, body["id"])
    assert integration.secret("verify_token") == WHATSAPP["verify_token"]


def test_whatsapp_refused_token_shows_metas_message_and_stores_nothing(api_client, db, rsps):
    rsps.add(
        responses.GET,
        f"{GRAPH}/{PHONE_ID}",
        status=401,
        json=load("meta", "integrations_error_190_invalid_token.json"),
    )

    response = api_client.post("/api/integrations", json=WHATSAPP)

    assert response.status_code == 422
    assert (
        response.get_json()["error"]
        == "Meta no longer accepts the access token. Please reconnect WhatsApp/Meta."
    )
    assert db.session.scalars(select(Integration)).all() == []


def test_existing_whatsapp_integration_failing_connect_goes_to_error_without_token(api_client, db, rsps):
    settings = {k: v for k, v in WHATSAPP.items() if k in ("platform", "phone_number_id", "waba_id")}
    created = api_client.post("/api/integrations", json=settings).get_json()["integration"]
    assert created["status"] == "disconnected" and created["access_token_set"] is False
    rsps.add(
        responses.GET,
        f"{GRAPH}/{PHONE_ID}",
        status=401,
        json=load("meta", "integrations_error_190_invalid_token.json"),
    )
    secrets = {k: WHATSAPP[k] for k in ("access_token", "app_secret", "verify_token")}

    response = api_client.post(f"/api/integrations/{created['id']}/connect", json=secrets)

    assert response.status_code == 422
    body = api_client.get(f"/api/integrations/{created['id']}").get_json()["integration"]
    assert body["status"] == "error"
    assert (
        body["status_message"] == "Meta no longer accepts the access token. Please reconnect WhatsApp/Meta."
    )
    assert body["access_token_set"] is False


def test_whatsapp_form_shows_metas_message_in_the_card(auth_client, db, rsps):
    rsps.add(
        responses.GET,
        f"{GRAPH}/{PHONE_ID}",
        status=401,
        json=load("meta", "integrations_error_190_invalid_token.json"),
    )
    form = {k: v for k, v in WHATSAPP.items() if k != "platform"}

    response = auth_client.post(
        "/integrations/whatsapp/connect",
        data=form,
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="card-whatsapp-new"' in html
    assert "Meta no longer accepts the access token" in html
    assert WHATSAPP["access_token"] not in html and WHATSAPP["app_secret"] not in html
    assert PHONE_ID in html  # non-secret values are kept in the form
    assert db.session.scalars(select(Integration)).all() == []


def test_facebook_connects_after_reading_the_catalog(api_client, rsps):
    rsps.add(responses.GET, f"{GRAPH}/{FACEBOOK['catalog_id']}", json=load("meta", "catalog.json"))

    body = api_client.post("/api/integrations", json=FACEBOOK).get_json()["integration"]

    assert body["status"] == "connected" and body["display_name"] == "Casa Nova Catalog"
    assert (
        body["account_id"] == FACEBOOK["page_id"] and body["config"]["catalog_id"] == FACEBOOK["catalog_id"]
    )


def test_facebook_unknown_catalog_shows_metas_message(api_client, db, rsps):
    rsps.add(
        responses.GET,
        f"{GRAPH}/{FACEBOOK['catalog_id']}",
        status=400,
        json=load("meta", "integrations_error_100_unknown_object.json"),
    )

    response = api_client.post("/api/integrations", json=FACEBOOK)

    assert response.status_code == 422
    assert (
        response.get_json()["error"]
        == "Meta rejected the request. Please check your WhatsApp/catalog settings."
    )
    assert db.session.scalars(select(Integration)).all() == []


def test_missing_meta_fields_are_named(api_client, rsps):
    response = api_client.post("/api/integrations", json={"platform": "facebook", "access_token": "x"})

    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"catalog_id", "page_id", "app_secret"}
    assert len(rsps.calls) == 0
