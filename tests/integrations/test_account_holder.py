"""One workspace holds a shop: the one whose credentials proved it. A row another workspace merely added for
the same shop receives no webhook, no compliance request and no customer data; connecting a shop another
workspace uses is refused; a fresh proof moves a shop its holder no longer uses, and the old holder is told."""

from __future__ import annotations

import copy
import json
import uuid
from urllib.parse import urlencode

import pytest
import responses
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.integrations.hold import HELD_ELSEWHERE
from app.models import ComplianceRequest, Integration, Order, Product, Webhook
from app.models.types import utcnow
from app.platforms.signatures import sign_shopify_body

from .conftest import CUSTOM_TOKEN, SHOP, TOKEN_URL, csrf_token, load
from .test_shopify_oauth import TOKENS, callback_params, start_oauth

FIXTURES = "webhooks/shopify"
COMPLIANCE = "/api/webhooks/shopify/compliance"
MOVED_WORDS = "was connected to another workspace on"


def shopify_body(name: str) -> dict:
    body = copy.deepcopy(load(FIXTURES, name))
    if "shop_domain" in body:
        body["shop_domain"] = SHOP
    return body


def deliver(client, topic: str, body: dict, path: str = "/api/webhooks/shopify"):
    """A delivery exactly as Shopify sends it for SHOP, signed with the app's secret."""
    raw = json.dumps(body).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Hmac-Sha256": sign_shopify_body("test-api-secret", raw),
    }
    response = client.post(path, data=raw, headers=headers)
    assert response.status_code == 200
    return response.get_json()["status"]


def count(db, model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


def connect_with_token(client):
    return client.post(
        "/api/integrations", json={"platform": "shopify", "shop_domain": SHOP, "access_token": CUSTOM_TOKEN}
    )


def add_row(client) -> int:
    """What the attack starts with: a row for the shop's domain, no credentials."""
    response = client.post("/api/integrations", json={"platform": "shopify", "shop_domain": SHOP})
    assert response.status_code == 201 and response.get_json()["integration"]["status"] == "disconnected"
    return response.get_json()["integration"]["id"]


def test_a_row_added_for_another_workspaces_shop_gets_no_compliance_request_or_export(
    api_client, workspace, intruder, db, fake_shopify, sync_calls, run_jobs
):
    ws_id = workspace.id  # plain ids: the burst worker ends the session, detaching loaded rows
    assert connect_with_token(api_client).status_code == 201
    add_row(intruder.api)
    assert deliver(api_client, "orders/create", shopify_body("orders_create.json")) == "accepted"
    run_jobs()
    assert count(db, Order, Order.workspace_id == ws_id) == 1

    assert deliver(
        api_client, "customers/data_request", shopify_body("customers_data_request.json"), COMPLIANCE
    )
    run_jobs()

    requests = db.session.scalars(select(ComplianceRequest)).all()
    assert [r.workspace_id for r in requests] == [ws_id]
    for request in requests:
        refused = intruder.api.get(f"/api/compliance/{request.id}/export")
        assert refused.status_code == 404 and "jon@example.com" not in refused.get_data(as_text=True)
    export = api_client.get(f"/api/compliance/{requests[0].id}/export")
    assert export.status_code == 200 and "jon@example.com" in export.get_data(as_text=True)
    assert count(db, Webhook, Webhook.workspace_id == intruder.workspace_id) == 0
    assert count(db, Order, Order.workspace_id == intruder.workspace_id) == 0


def test_a_shop_nobody_proved_feeds_nobody(intruder, db, run_jobs):
    add_row(intruder.api)

    assert deliver(intruder.api, "products/create", shopify_body("products_create.json")) == "ignored"
    status = deliver(
        intruder.api, "customers/data_request", shopify_body("customers_data_request.json"), COMPLIANCE
    )
    run_jobs()

    assert status == "ignored"
    assert count(db, ComplianceRequest) == 0 and count(db, Product) == 0
    assert db.session.scalars(select(Webhook.workspace_id)).all() == [None, None]


def test_a_row_older_than_the_real_connection_gets_nothing_after_a_disconnect(
    api_client, workspace, intruder, db, fake_shopify, sync_calls, run_jobs
):
    ws_id = workspace.id  # plain ids: the burst worker ends the session, detaching loaded rows
    add_row(intruder.api)  # before the merchant connects: the lower id
    mine = connect_with_token(api_client).get_json()["integration"]["id"]
    assert api_client.post(f"/api/integrations/{mine}/disconnect").status_code == 200

    deliver(api_client, "products/update", shopify_body("products_update.json"))
    deliver(api_client, "customers/data_request", shopify_body("customers_data_request.json"), COMPLIANCE)
    run_jobs()

    # The disconnected workspace still holds the shop's data: its compliance requests keep coming to it.
    assert db.session.scalars(select(Webhook.workspace_id)).all() == [ws_id, ws_id]
    assert [r.workspace_id for r in db.session.scalars(select(ComplianceRequest))] == [ws_id]
    assert count(db, Product) == 0  # and a disconnected integration syncs nothing


def test_connecting_a_shop_another_workspace_uses_is_refused_with_a_message(
    api_client, intruder, db, fake_shopify, sync_calls
):
    mine = connect_with_token(api_client).get_json()["integration"]["id"]
    calls = len(fake_shopify.operations)

    refused = connect_with_token(intruder.api)
    assert refused.status_code == 409
    assert refused.get_json()["error"] == HELD_ELSEWHERE["shopify"]
    row_id = add_row(intruder.api)
    again = intruder.api.post(f"/api/integrations/{row_id}/connect", json={"access_token": CUSTOM_TOKEN})
    assert again.status_code == 409 and again.get_json()["error"] == HELD_ELSEWHERE["shopify"]
    oauth = intruder.api.post(f"/api/integrations/{row_id}/connect")
    assert oauth.status_code == 409 and "authorize_url" not in oauth.get_json()

    token = csrf_token(intruder.pages)
    for form in ({"shop_domain": SHOP, "access_token": CUSTOM_TOKEN}, {"shop_domain": SHOP}):
        page = intruder.pages.post(f"/integrations/{row_id}/connect", data={"csrf_token": token, **form})
        assert page.status_code == 409
        assert "connected to another WAgents workspace" in page.get_data(as_text=True)
    card = intruder.pages.get("/integrations").get_data(as_text=True)
    assert "connected to another WAgents workspace" in card  # the card keeps saying why

    assert len(fake_shopify.operations) == calls  # refused before any call to Shopify
    db.session.expire_all()
    holder = db.session.get(Integration, mine)
    assert holder.status == "connected" and holder.proved_at is not None
    assert db.session.get(Integration, row_id).proved_at is None


def test_a_fresh_oauth_proof_moves_a_shop_its_holder_disconnected_and_tells_it(
    api_client, auth_client, workspace, intruder, db, rsps, fake_shopify, sync_calls, run_jobs
):
    mine = connect_with_token(api_client).get_json()["integration"]["id"]
    api_client.post(f"/api/integrations/{mine}/disconnect")
    rsps.add(responses.POST, TOKEN_URL, json=TOKENS)

    state = start_oauth(intruder.pages)
    done = intruder.pages.get("/integrations/shopify/callback?" + urlencode(callback_params(state)))
    assert "connected." in intruder.pages.get(done.headers["Location"]).get_data(as_text=True)

    db.session.expire_all()
    theirs = db.session.scalars(
        select(Integration).where(Integration.workspace_id == intruder.workspace_id)
    ).one()
    assert theirs.status == "connected" and theirs.proved_at is not None
    old = db.session.get(Integration, mine)
    assert old.proved_at is None and old.status == "disconnected"
    assert MOVED_WORDS in old.status_message
    assert MOVED_WORDS in auth_client.get("/integrations").get_data(as_text=True)

    deliver(api_client, "products/create", shopify_body("products_create.json"))
    run_jobs()
    assert db.session.scalars(select(Product.workspace_id)).all() == [intruder.workspace_id]
    back = api_client.post(f"/api/integrations/{mine}/connect", json={"access_token": CUSTOM_TOKEN})
    assert back.status_code == 409 and back.get_json()["error"] == HELD_ELSEWHERE["shopify"]


def test_the_database_allows_one_holder_per_account(db, workspace, make_user):
    other = make_user("second@example.com").workspace
    for ws in (workspace, other):
        db.session.add(
            Integration(workspace_id=ws.id, platform="shopify", account_id=SHOP, proved_at=utcnow())
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_workspaces_proving_a_shop_at_once_the_later_commit_gets_a_409(
    api_client, intruder, db, fake_shopify, sync_calls, monkeypatch
):
    from app.integrations import hold as integration_hold
    from app.integrations import shopify_connect

    mine = connect_with_token(api_client).get_json()["integration"]["id"]
    # As if the other proof committed between this attempt's checks and its commit.
    monkeypatch.setattr(shopify_connect, "refuse_if_held_elsewhere", lambda *args: None)
    unlocked = integration_hold.holder
    monkeypatch.setattr(integration_hold, "holder", lambda *a, lock=False: None if lock else unlocked(*a))

    refused = connect_with_token(intruder.api)

    assert refused.status_code == 409 and refused.get_json()["error"] == HELD_ELSEWHERE["shopify"]
    db.session.expire_all()
    assert [
        i.id for i in db.session.scalars(select(Integration).where(Integration.proved_at.is_not(None)))
    ] == [mine]


def test_an_uninstall_ends_only_the_holders_connection(
    api_client, intruder, db, fake_shopify, sync_calls, run_jobs
):
    row_id = add_row(intruder.api)
    mine = connect_with_token(api_client).get_json()["integration"]["id"]

    deliver(api_client, "app/uninstalled", shopify_body("app_uninstalled.json"))
    run_jobs()

    db.session.expire_all()
    assert db.session.get(Integration, mine).status == "needs_reauth"
    theirs = db.session.get(Integration, row_id)
    assert (theirs.status, theirs.status_message) == ("disconnected", None)


def test_a_delivery_stored_before_the_shop_moved_is_applied_to_nobody(
    api_client, intruder, db, rsps, fake_shopify, sync_calls, run_jobs
):
    mine = connect_with_token(api_client).get_json()["integration"]["id"]
    deliver(api_client, "products/create", shopify_body("products_create.json"))  # queued, not yet processed
    api_client.post(f"/api/integrations/{mine}/disconnect")
    rsps.add(responses.POST, TOKEN_URL, json=TOKENS)
    state = start_oauth(intruder.pages)
    intruder.pages.get("/integrations/shopify/callback?" + urlencode(callback_params(state)))

    run_jobs()

    assert count(db, Product) == 0  # the new holder's first sync brings the catalog, not a stale delivery
    assert db.session.scalars(select(Webhook.status)).all() == ["processed"]
