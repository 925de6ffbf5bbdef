"""The /api/integrations routes: CRUD, validation errors, duplicates, workspace isolation, write-only secrets."""

from __future__ import annotations

import json
import logging

import pytest

from app.models import Integration, SyncRun
from app.services import accounts

from .conftest import CUSTOM_TOKEN, SHOP
from .test_meta_connect import GRAPH, PHONE_ID, WHATSAPP

SECRET_VALUES = [CUSTOM_TOKEN, WHATSAPP["access_token"], WHATSAPP["app_secret"], WHATSAPP["verify_token"]]


def test_create_read_update_list_delete(api_client, db):
    created = api_client.post(
        "/api/integrations", json={"platform": "shopify", "shop_domain": " Casa-Nova.myshopify.com "}
    )
    assert created.status_code == 201
    body = created.get_json()["integration"]
    assert body["account_id"] == SHOP and body["status"] == "disconnected"
    assert body["access_token_set"] is False and body["refresh_token_set"] is False

    patched = api_client.patch(
        f"/api/integrations/{body['id']}", json={"display_name": "Main store", "api_version": "2026-10"}
    )
    assert patched.status_code == 200
    assert patched.get_json()["integration"]["display_name"] == "Main store"
    assert patched.get_json()["integration"]["config"]["api_version"] == "2026-10"
    listed = api_client.get("/api/integrations").get_json()["integrations"]
    assert [i["id"] for i in listed] == [body["id"]]

    assert api_client.delete(f"/api/integrations/{body['id']}").status_code == 204
    assert api_client.get(f"/api/integrations/{body['id']}").status_code == 404


def test_one_shopify_integration_per_shop_per_workspace(api_client):
    first = api_client.post("/api/integrations", json={"platform": "shopify", "shop_domain": SHOP})
    again = api_client.post("/api/integrations", json={"platform": "shopify", "shop_domain": SHOP.upper()})

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.get_json()["fields"] == {"shop_domain": "Already added."}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "platform"),
        ({"platform": "myspace"}, "platform"),
        ({"platform": "shopify", "shop_domain": "casa-nova.com"}, "shop_domain"),
        ({"platform": "whatsapp"}, "phone_number_id"),
        ({"platform": "whatsapp", "phone_number_id": "+1 555"}, "phone_number_id"),
    ],
)
def test_invalid_input_names_the_field(api_client, payload, field):
    response = api_client.post("/api/integrations", json=payload)

    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] and field in body["fields"]


def test_non_json_body_is_refused(api_client):
    response = api_client.post("/api/integrations", data="platform=shopify")
    assert response.status_code == 415 and "error" in response.get_json()


def test_patch_cannot_change_the_account_or_token(api_client):
    created = api_client.post("/api/integrations", json={"platform": "shopify", "shop_domain": SHOP})
    integration_id = created.get_json()["integration"]["id"]

    response = api_client.patch(
        f"/api/integrations/{integration_id}",
        json={"shop_domain": "x.myshopify.com", "access_token": "t", "nope": 1},
    )

    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"shop_domain", "access_token", "nope"}


def test_another_workspace_gets_404(api_client, app, make_user, db, rsps):
    mine = api_client.post("/api/integrations", json={"platform": "shopify", "shop_domain": SHOP})
    integration_id = mine.get_json()["integration"]["id"]
    stranger = make_user("stranger@example.com")
    _, plain = accounts.create_api_token(stranger, "stranger")
    other = app.test_client()
    other.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"

    assert other.get("/api/integrations").get_json() == {"integrations": []}
    for method, suffix, body in [
        ("get", "", None),
        ("patch", "", {"display_name": "mine now"}),
        ("post", "/connect", {"access_token": "shpat_x"}),
        ("post", "/disconnect", None),
        ("post", "/sync", None),
        ("delete", "", None),
    ]:
        response = getattr(other, method)(f"/api/integrations/{integration_id}{suffix}", json=body)
        assert response.status_code == 404, (method, suffix)
        assert response.get_json() == {"error": "No such integration."}
    assert db.session.get(Integration, integration_id).display_name is None
    assert len(rsps.calls) == 0


def test_sync_now_starts_one_run_and_refuses_a_second(api_client, db, workspace):
    integration = Integration(
        workspace_id=workspace.id, platform="shopify", account_id=SHOP, status="connected", config={}
    )
    db.session.add(integration)
    db.session.commit()

    first = api_client.post(f"/api/integrations/{integration.id}/sync")
    assert first.status_code == 202
    body = first.get_json()
    assert body["status_url"] == f"/api/sync/{body['run_id']}"
    assert db.session.get(SyncRun, body["run_id"]).kind == "full"

    second = api_client.post(f"/api/integrations/{integration.id}/sync")
    assert second.status_code == 409
    assert str(body["run_id"]) in second.get_json()["error"]
    assert db.session.query(SyncRun).count() == 1


def test_secrets_never_appear_in_responses_or_logs(api_client, db, rsps, fake_shopify, sync_calls, caplog):
    caplog.set_level(logging.DEBUG)
    import responses

    rsps.add(responses.GET, f"{GRAPH}/{PHONE_ID}", json={"id": PHONE_ID, "verified_name": "Casa Nova"})
    answers = [
        api_client.post(
            "/api/integrations",
            json={"platform": "shopify", "shop_domain": SHOP, "access_token": CUSTOM_TOKEN},
        ),
        api_client.post("/api/integrations", json=WHATSAPP),
    ]
    ids = [a.get_json()["integration"]["id"] for a in answers]
    answers.append(api_client.get("/api/integrations"))
    answers += [api_client.get(f"/api/integrations/{i}") for i in ids]
    answers.append(
        api_client.patch(f"/api/integrations/{ids[1]}", json={"verify_token": "rotated-verify-000"})
    )
    answers += [api_client.post(f"/api/integrations/{i}/disconnect") for i in ids]

    everything = "\n".join(a.get_data(as_text=True) for a in answers)
    assert all(a.status_code < 400 for a in answers), everything
    logged = caplog.text + "\n".join(json.dumps(r.args, default=str) for r in caplog.records if r.args)
    for secret in [*SECRET_VALUES, "rotated-verify-000"]:
        assert secret not in everything
        assert secret not in logged
    assert '"access_token_set": true' in everything.replace(
        '"access_token_set":true', '"access_token_set": true'
    )
