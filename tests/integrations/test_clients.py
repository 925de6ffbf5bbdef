"""Issue 12: Shopify's expiring offline tokens through IntegrationTokenSource (refresh ahead of expiry, once
on 401, one refresh for racing workers, `invalid_grant` -> needs_reauth without a retry storm) and custom-app
tokens that never refresh."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy import text

from app.extensions import db as _db
from app.integrations import clients as platform_clients
from app.integrations.clients import REAUTH_MESSAGE, IntegrationTokenSource, NeedsReauth, shopify_client
from app.models import Integration
from app.models.types import utcnow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOP = "casa-nova.myshopify.com"
GRAPHQL_URL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
TOKEN_URL = f"https://{SHOP}/admin/oauth/access_token"
OLD_ACCESS, OLD_REFRESH = "shpat_old1111111111111111111111111111", "shprt_old1111111111111111111111111111"


def load(kind: str, name: str):
    return json.loads((FIXTURES / kind / name).read_text())


NEW = load("shopify", "oauth_refresh.json")


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def make_integration(
    db,
    workspace,
    *,
    expires_in: timedelta | None,
    refresh: str | None = OLD_REFRESH,
    access: str = OLD_ACCESS,
) -> Integration:
    integration = Integration(
        workspace_id=workspace.id, platform="shopify", account_id=SHOP, status="connected", config={}
    )
    integration.set_secrets(access_token=access, refresh_token=refresh)
    integration.token_expires_at = utcnow() + expires_in if expires_in is not None else None
    db.session.add(integration)
    db.session.commit()
    return integration


def token_calls(rsps) -> list:
    return [c for c in rsps.calls if c.request.url == TOKEN_URL]


def graphql_tokens(rsps) -> list[str]:
    return [c.request.headers["X-Shopify-Access-Token"] for c in rsps.calls if c.request.url == GRAPHQL_URL]


def test_token_near_expiry_is_refreshed_before_the_call(db, workspace, rsps):
    integration = make_integration(db, workspace, expires_in=timedelta(minutes=2))
    rsps.add(responses.POST, TOKEN_URL, json=NEW)
    rsps.add(responses.POST, GRAPHQL_URL, json=load("shopify", "shop.json"))

    assert shopify_client(integration).get_shop()["name"] == "Casa Nova"

    [refresh] = token_calls(rsps)
    sent = json.loads(refresh.request.body)
    assert sent["grant_type"] == "refresh_token" and sent["refresh_token"] == OLD_REFRESH
    assert graphql_tokens(rsps) == [NEW["access_token"]]
    db.session.expire_all()
    stored = db.session.get(Integration, integration.id)
    assert stored.secret("access_token") == NEW["access_token"]
    assert stored.secret("refresh_token") == NEW["refresh_token"]
    assert abs(stored.token_expires_at - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)
    assert abs(stored.refresh_token_expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)
    raw = db.session.execute(text("SELECT secrets FROM integration")).scalar_one()
    assert NEW["access_token"] not in raw and NEW["refresh_token"] not in raw


def test_fresh_token_is_used_as_is(db, workspace, rsps):
    integration = make_integration(db, workspace, expires_in=timedelta(minutes=50))
    rsps.add(responses.POST, GRAPHQL_URL, json=load("shopify", "shop.json"))

    shopify_client(integration).get_shop()

    assert token_calls(rsps) == [] and graphql_tokens(rsps) == [OLD_ACCESS]


def test_401_triggers_one_refresh_and_a_retry(db, workspace, rsps):
    integration = make_integration(db, workspace, expires_in=timedelta(minutes=50))
    rsps.add(responses.POST, GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))
    rsps.add(responses.POST, GRAPHQL_URL, json=load("shopify", "shop.json"))
    rsps.add(responses.POST, TOKEN_URL, json=NEW)

    assert shopify_client(integration).get_shop()["name"] == "Casa Nova"

    assert len(token_calls(rsps)) == 1
    assert graphql_tokens(rsps) == [OLD_ACCESS, NEW["access_token"]]


def test_token_expiring_in_the_middle_of_a_paged_read_refreshes_once(db, workspace, rsps):
    integration = make_integration(db, workspace, expires_in=timedelta(minutes=50))
    rsps.add(responses.POST, GRAPHQL_URL, json=load("shopify", "products_page_1.json"))
    rsps.add(responses.POST, GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))
    rsps.add(responses.POST, GRAPHQL_URL, json=load("shopify", "products_page_2.json"))
    rsps.add(responses.POST, TOKEN_URL, json=NEW)

    pages = list(shopify_client(integration, sleep=lambda s: None).iter_product_pages())

    assert len(pages) == 2 and not pages[-1].has_next_page
    assert len(token_calls(rsps)) == 1
    assert graphql_tokens(rsps) == [OLD_ACCESS, OLD_ACCESS, NEW["access_token"]]


def test_two_workers_racing_to_refresh_spend_the_refresh_token_once(app, db, workspace, rsps, monkeypatch):
    integration_id = make_integration(db, workspace, expires_in=timedelta(minutes=50)).id
    if db.engine.dialect.name == "postgresql":
        # Two processes share no Python lock: take it away so only the row lock serialises the refresh.
        monkeypatch.setattr(platform_clients, "_local_lock", lambda _id: contextlib.nullcontext())

    def slow_refresh(request):
        time.sleep(0.3)  # hold the lock long enough for the other worker to be waiting on it
        return 200, {}, json.dumps(NEW)

    rsps.add_callback(responses.POST, TOKEN_URL, callback=slow_refresh)
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker():
        with app.app_context():
            try:
                barrier.wait()
                results.append(IntegrationTokenSource(integration_id).refresh_after_unauthorized(OLD_ACCESS))
            except BaseException as exc:  # surfaced by the assertion below
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert results == [NEW["access_token"], NEW["access_token"]]
    assert len(token_calls(rsps)) == 1
    db.session.expire_all()
    assert db.session.get(Integration, integration_id).secret("refresh_token") == NEW["refresh_token"]


def test_refused_refresh_needs_reauth_and_stops_calling_shopify(db, workspace, rsps):
    integration = make_integration(db, workspace, expires_in=timedelta(minutes=1))
    rsps.add(responses.POST, TOKEN_URL, status=400, json=load("shopify", "oauth_invalid_grant.json"))
    client = shopify_client(integration)

    with pytest.raises(NeedsReauth) as first:
        client.get_shop()

    assert first.value.merchant_message == REAUTH_MESSAGE
    db.session.expire_all()
    stored = db.session.get(Integration, integration.id)
    assert stored.status == "needs_reauth" and stored.status_message == REAUTH_MESSAGE
    calls = len(rsps.calls)
    assert calls == 1
    for _ in range(3):
        with pytest.raises(NeedsReauth):
            shopify_client(stored).get_shop()
    assert len(rsps.calls) == calls


def test_custom_app_token_keeps_working_without_refresh(db, workspace, rsps):
    integration = make_integration(
        db, workspace, expires_in=None, refresh=None, access="shpat_custom_forever"
    )
    rsps.add(responses.POST, GRAPHQL_URL, json=load("shopify", "shop.json"))

    for _ in range(2):
        shopify_client(integration).get_shop()

    assert token_calls(rsps) == []
    assert graphql_tokens(rsps) == ["shpat_custom_forever", "shpat_custom_forever"]


def test_revoked_custom_app_token_needs_reauth_without_a_refresh_attempt(db, workspace, rsps):
    integration = make_integration(db, workspace, expires_in=None, refresh=None, access="shpat_revoked")
    rsps.add(responses.POST, GRAPHQL_URL, status=401, json=load("shopify", "unauthorized.json"))

    with pytest.raises(NeedsReauth):
        shopify_client(integration).get_shop()

    assert token_calls(rsps) == []
    db.session.expire_all()
    assert db.session.get(Integration, integration.id).status == "needs_reauth"
