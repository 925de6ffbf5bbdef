"""Intake: signatures over the raw body, store first, dedupe, unknown accounts, malformed bodies, size limit,
and Redis being down at intake (the sweeper delivers later)."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

import pytest
import redis
from sqlalchemy import func, select, text, update

from app.extensions import db
from app.models import Product, SyncLog, Webhook
from app.models.types import utcnow
from app.webhooks.jobs import sweep_pending
from tests.webhooks.conftest import fixture_bytes


def count(model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def test_valid_delivery_is_stored_queued_and_processed(post_shopify, shopify_integration, run_jobs):
    response = post_shopify(
        "products/create", fixture_bytes("shopify/products_create.json"), webhook_id="d-1"
    )
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted"}
    row = db.session.scalars(select(Webhook)).one()
    assert (row.status, row.delivery_id, row.workspace_id) == (
        "pending",
        "d-1",
        shopify_integration.workspace_id,
    )
    assert row.headers["X-Shopify-Topic"] == "products/create"
    webhook_id = row.id
    run_jobs()
    row = db.session.get(Webhook, webhook_id)
    assert (row.status, row.attempts) == ("processed", 1)
    assert count(Product) == 1
    assert count(SyncLog, SyncLog.webhook_id == webhook_id) == 1


def test_signature_failures_are_refused_and_nothing_stored(post_shopify, shopify_integration, caplog):
    raw = fixture_bytes("shopify/products_create.json")
    caplog.set_level(logging.INFO)
    assert post_shopify("products/create", raw, hmac="").status_code == 401  # missing
    assert post_shopify("products/create", raw, secret="someone-else").status_code == 401  # wrong secret
    from app.platforms.signatures import sign_shopify_body

    altered = raw.replace(b"Example T-Shirt", b"Free T-Shirt")
    response = post_shopify("products/create", altered, hmac=sign_shopify_body("test-api-secret", raw))
    assert response.status_code == 401
    assert response.get_json() == {"error": "Invalid webhook signature."}
    assert count(Webhook) == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert all("T-Shirt" not in r.getMessage() for r in caplog.records)


def test_duplicate_delivery_is_acknowledged_stored_once_processed_once(
    post_shopify, shopify_integration, run_jobs
):
    raw = fixture_bytes("shopify/products_create.json")
    assert post_shopify("products/create", raw, webhook_id="same").get_json() == {"status": "accepted"}
    again = post_shopify("products/create", raw, webhook_id="same")
    assert again.status_code == 200
    assert again.get_json() == {"status": "duplicate"}
    run_jobs()
    assert count(Webhook) == 1
    assert db.session.scalar(select(Webhook.attempts)) == 1
    assert count(SyncLog, SyncLog.action == "create") == 1


def test_unknown_shop_is_recorded_as_ignored(post_shopify, run_jobs):
    response = post_shopify(
        "products/create", fixture_bytes("shopify/products_create.json"), shop="nobody.myshopify.com"
    )
    assert response.status_code == 200
    assert response.get_json() == {"status": "ignored"}
    row = db.session.scalars(select(Webhook)).one()
    assert (row.status, row.account_id, row.workspace_id) == ("ignored", "nobody.myshopify.com", None)
    run_jobs()
    assert count(Product) == 0


def test_malformed_json_with_valid_signature_is_400_and_stored_failed(post_shopify, shopify_integration):
    response = post_shopify("products/update", b'{"id": 1, "title": ', webhook_id="broken")
    assert response.status_code == 400
    assert "Malformed webhook body" in response.get_json()["error"]
    row = db.session.scalars(select(Webhook)).one()
    assert row.status == "failed" and "Malformed" in row.error
    assert row.payload == '{"id": 1, "title": '


def test_body_over_the_limit_is_a_json_413(app, post_shopify, shopify_integration):
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = post_shopify("products/update", b'{"pad": "' + b"x" * 2048 + b'"}')
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "error" in response.get_json()
    assert count(Webhook) == 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_redis_down_at_intake_then_sweeper_delivers(
    app, post_shopify, shopify_integration, run_jobs, monkeypatch
):
    dead = redis.Redis(host="127.0.0.1", port=_closed_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    monkeypatch.setitem(app.extensions, "redis", dead)
    response = post_shopify("products/create", fixture_bytes("shopify/products_create.json"))
    assert response.status_code == 200
    assert response.get_json() == {"status": "stored"}
    assert sweep_pending() == 0  # too young to sweep, and Redis is still down anyway
    monkeypatch.undo()  # Redis is back

    assert sweep_pending() == 0  # younger than a minute: maybe still on its way
    db.session.execute(update(Webhook).values(received_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    from app.housekeeping import run_minutely

    assert run_minutely()["sweep_pending"] == 1
    assert sweep_pending() == 0  # already queued: not queued twice
    run_jobs()
    assert db.session.scalar(select(Webhook.status)) == "processed"
    assert count(Product) == 1


def test_retry_api_requeues_a_failed_delivery(api_client, post_shopify, shopify_integration, run_jobs):
    post_shopify("products/update", b"[1, 2]", webhook_id="not-an-object")  # valid JSON, not an object
    run_jobs()
    row = db.session.scalars(select(Webhook)).one()
    assert row.status == "failed" and "not a JSON object" in row.error
    webhook_id = row.id
    assert api_client.post(f"/api/webhooks/{webhook_id}/retry").status_code == 202
    run_jobs()
    row = db.session.get(Webhook, webhook_id)
    assert (row.status, row.attempts) == ("failed", 2)
    processed = post_shopify("products/create", fixture_bytes("shopify/products_create.json"))
    assert processed.status_code == 200
    run_jobs()
    done_id = db.session.scalar(select(Webhook.id).where(Webhook.status == "processed"))
    assert api_client.post(f"/api/webhooks/{done_id}/retry").status_code == 409
    assert api_client.post("/api/webhooks/999999/retry").status_code == 404


def test_retry_api_does_not_reach_another_workspace(
    app, post_shopify, shopify_integration, run_jobs, make_user
):
    from app.services import accounts

    post_shopify("products/update", b"[1]")
    run_jobs()
    webhook_id = db.session.scalar(select(Webhook.id))
    _, token = accounts.create_api_token(make_user("other@example.com"), "other")
    other = app.test_client()
    response = other.post(f"/api/webhooks/{webhook_id}/retry", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404
    assert db.session.scalar(select(Webhook.status)) == "failed"


def test_retry_api_needs_a_token(client):
    assert client.post("/api/webhooks/1/retry").status_code == 401


def test_intake_survives_a_database_connection_that_died(app, post_shopify, shopify_integration, caplog):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("terminating a server connection needs Postgres")
    assert post_shopify("products/create", fixture_bytes("shopify/products_create.json")).status_code == 200
    # A database restart: every connection the intake pool holds is closed by the server.
    db.session.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    )
    db.session.commit()
    response = post_shopify("products/update", fixture_bytes("shopify/products_update.json"))
    assert response.status_code == 200
    assert response.get_json() == {"status": "accepted"}
    assert count(Webhook) == 2
    assert "database connection lost; retrying" in caplog.text
