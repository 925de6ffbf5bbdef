"""A Shopify connect is followed by exactly one full sync, started through the one sync door by the route that
connected; a first sync that cannot start leaves the store connected, with the error in the log."""

from __future__ import annotations

import logging

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import select

from app.models import Integration, SyncRun

from .conftest import CUSTOM_TOKEN, SHOP, csrf_token


def connect_with_token(api_client):
    return api_client.post(
        "/api/integrations", json={"platform": "shopify", "shop_domain": SHOP, "access_token": CUSTOM_TOKEN}
    )


def test_an_api_connect_queues_exactly_one_full_sync(api_client, db, fake_shopify):
    response = connect_with_token(api_client)
    assert response.status_code == 201
    integration_id = response.get_json()["integration"]["id"]
    runs = db.session.scalars(select(SyncRun)).all()
    assert [(r.integration_id, r.kind, r.status) for r in runs] == [(integration_id, "full", "queued")]
    assert runs[0].job_id is not None  # on the sync queue
    assert db.session.get(Integration, integration_id).sync_status == "queued"


def test_a_page_connect_queues_exactly_one_full_sync_and_shows_it(auth_client, db, fake_shopify):
    token = csrf_token(auth_client)
    page = auth_client.post(
        "/integrations/shopify/connect",
        data={"csrf_token": token, "shop_domain": SHOP, "access_token": CUSTOM_TOKEN},
        headers={"HX-Request": "true"},
    )
    assert page.status_code == 200
    runs = db.session.scalars(select(SyncRun)).all()
    assert [(r.kind, r.status) for r in runs] == [("full", "queued")]
    assert f"/sync/runs/{runs[0].id}/progress" in page.get_data(as_text=True)  # the card follows the run


def test_a_meta_connect_or_a_row_without_a_token_starts_no_sync(api_client, db):
    response = api_client.post("/api/integrations", json={"platform": "shopify", "shop_domain": SHOP})
    assert response.status_code == 201 and response.get_json()["integration"]["status"] == "disconnected"
    assert db.session.scalars(select(SyncRun)).all() == []


def test_a_first_sync_that_cannot_be_queued_leaves_the_store_connected(app, api_client, db, fake_shopify,
                                                                      monkeypatch, caplog):  # fmt: skip
    broken = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    monkeypatch.setitem(app.extensions, "redis", broken)
    monkeypatch.setitem(app.extensions, "queues", {})
    with caplog.at_level(logging.ERROR, logger="app.sync.service"):
        response = connect_with_token(api_client)
    assert response.status_code == 201
    integration = db.session.get(Integration, response.get_json()["integration"]["id"])
    assert integration.status == "connected" and integration.secret("access_token") == CUSTOM_TOKEN
    assert f"integration {integration.id}: could not start the first full sync" in caplog.text
    run = db.session.scalars(select(SyncRun)).one()
    assert run.status == "failed" and "background worker is not reachable" in run.error
    assert integration.sync_status == "idle"
