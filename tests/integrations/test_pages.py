"""The Integrations page: one card per platform, htmx fragments with field errors, full pages without htmx."""

from __future__ import annotations

from app.models import Integration, SyncRun

from .conftest import CUSTOM_TOKEN, SHOP, csrf_token


def htmx(client) -> dict:
    return {"HX-Request": "true", "X-CSRFToken": csrf_token(client)}


def test_page_shows_one_card_per_platform(auth_client):
    html = auth_client.get("/integrations").get_data(as_text=True)

    for card in ("card-shopify-new", "card-whatsapp-new", "card-facebook-new"):
        assert f'id="{card}"' in html
    assert 'name="csrf_token"' in html
    assert ">Integrations</a>" in html  # listed in the navigation


def test_page_needs_login(client):
    response = client.get("/integrations")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_invalid_form_rerenders_the_card_with_field_errors(auth_client, rsps):
    response = auth_client.post(
        "/integrations/whatsapp/connect", data={"phone_number_id": "abc"}, headers=htmx(auth_client)
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="card-whatsapp-new"' in html
    assert "Access token is required." in html and "WhatsApp Business Account ID is required." in html
    assert len(rsps.calls) == 0


def test_invalid_form_without_htmx_renders_the_whole_page(auth_client):
    response = auth_client.post(
        "/integrations/shopify/connect",
        data={"csrf_token": csrf_token(auth_client), "shop_domain": "not a shop"},
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" in html and "ending in .myshopify.com" in html and 'id="card-whatsapp-new"' in html


def test_post_without_csrf_is_refused(auth_client, db):
    response = auth_client.post(
        "/integrations/shopify/connect", data={"shop_domain": SHOP, "access_token": "x"}
    )
    assert response.status_code == 400
    assert db.session.query(Integration).count() == 0


def test_connect_with_token_then_disconnect_through_the_cards(auth_client, db, fake_shopify, sync_calls):
    connected = auth_client.post(
        "/integrations/shopify/connect",
        data={"shop_domain": SHOP, "access_token": CUSTOM_TOKEN},
        headers=htmx(auth_client),
    )
    assert connected.status_code == 200
    html = connected.get_data(as_text=True)
    assert 'data-status="connected"' in html and "Casa Nova" in html and "Sync now" in html
    assert CUSTOM_TOKEN not in html
    integration = db.session.query(Integration).one()

    disconnected = auth_client.post(f"/integrations/{integration.id}/disconnect", headers=htmx(auth_client))

    assert 'data-status="disconnected"' in disconnected.get_data(as_text=True)
    assert len(fake_shopify.ops("WebhookSubscriptionDelete")) == len(
        fake_shopify.ops("WebhookSubscriptionCreate")
    )


def test_sync_now_shows_live_progress_in_the_card(auth_client, db, workspace):
    integration = Integration(
        workspace_id=workspace.id, platform="shopify", account_id=SHOP, status="connected", config={}
    )
    db.session.add(integration)
    db.session.commit()
    page = auth_client.get("/integrations").get_data(as_text=True)
    assert f'hx-post="/sync/integrations/{integration.id}"' in page
    assert f'hx-target="#sync-slot-{integration.id}"' in page

    started = auth_client.post(
        f"/sync/integrations/{integration.id}", data={"kind": "full"}, headers=htmx(auth_client)
    )
    assert started.status_code == 200
    run = db.session.query(SyncRun).one()
    assert f'hx-get="/sync/runs/{run.id}/progress"' in started.get_data(as_text=True)

    # Reloading the page while the run is active brings the progress bar back, polling.
    page = auth_client.get("/integrations").get_data(as_text=True)
    assert f'hx-get="/sync/runs/{run.id}/progress" hx-trigger="every 1s"' in page


def test_cards_of_another_workspace_are_invisible_and_404(auth_client, app, make_user, db):
    other_user = make_user("stranger@example.com")
    theirs = Integration(
        workspace_id=other_user.workspace_id,
        platform="shopify",
        account_id=SHOP,
        status="connected",
        config={},
    )
    db.session.add(theirs)
    db.session.commit()

    assert f"card-shopify-{theirs.id}" not in auth_client.get("/integrations").get_data(as_text=True)
    for action in ("connect", "disconnect", "reconnect", "sync"):
        response = auth_client.post(f"/integrations/{theirs.id}/{action}", headers=htmx(auth_client))
        assert response.status_code == 404, action
