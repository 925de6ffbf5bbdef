"""The cards help a merchant set a platform up: where each credential is found, the addresses and verify token
to copy into Shopify's and Meta's settings, a busy state while the credentials are checked, and after a
refusal the fields as entered (secrets asked again, and the form says so)."""

from __future__ import annotations

import re

import responses

from app.models import Integration

from .conftest import GRAPH, csrf_token, load
from .test_meta_connect import PHONE_ID, WHATSAPP


def _card(html: str, card_id: str) -> str:
    return html.split(f'id="{card_id}"')[1].split("</article>")[0]


def test_every_credential_field_says_where_to_find_it(auth_client):
    html = auth_client.get("/integrations").get_data(as_text=True)
    for card_id, count in (("card-shopify-new", 2), ("card-whatsapp-new", 5), ("card-facebook-new", 4)):
        card = _card(html, card_id)
        assert card.count("Where do I find this?") == count, card_id
    assert "Admin API access token" in html and "Phone number ID under the number" in html


def test_webhook_and_app_addresses_are_shown_to_copy(app, auth_client, monkeypatch):
    monkeypatch.setitem(app.config, "META_VERIFY_TOKEN", None)
    html = auth_client.get("/integrations").get_data(as_text=True)
    shopify = _card(html, "card-shopify-new")
    assert (
        '<code id="copy-card-shopify-new-2">http://app.test/integrations/shopify/callback</code>' in shopify
    )
    assert "http://app.test/api/webhooks/shopify/compliance" in shopify
    whatsapp = _card(html, "card-whatsapp-new")
    assert (
        "http://app.test/api/webhooks/whatsapp" in whatsapp
        and 'data-copy="copy-card-whatsapp-new-1"' in whatsapp
    )
    facebook = _card(html, "card-facebook-new")
    assert "http://app.test/api/webhooks/facebook" in facebook and "set META_VERIFY_TOKEN" in facebook
    assert "copy.js" in html


def test_a_new_whatsapp_form_suggests_a_verify_token_and_the_connected_card_shows_it(
    auth_client, db, rsps, workspace
):
    html = auth_client.get("/integrations").get_data(as_text=True)
    suggested = re.search(
        r'name="verify_token" type="text"[^>]*value="([^"]+)"', _card(html, "card-whatsapp-new")
    )
    assert suggested and len(suggested.group(1)) >= 20
    rsps.add(responses.GET, f"{GRAPH}/{PHONE_ID}", json=load("meta", "whatsapp_phone_number.json"))
    form = {k: v for k, v in WHATSAPP.items() if k != "platform"}
    auth_client.post("/integrations/whatsapp/connect", data={**form, "csrf_token": csrf_token(auth_client)})
    integration = db.session.query(Integration).filter_by(platform="whatsapp").one()
    card = _card(auth_client.get("/integrations").get_data(as_text=True), f"card-whatsapp-{integration.id}")
    assert f">{WHATSAPP['verify_token']}</code>" in card and "http://app.test/api/webhooks/whatsapp" in card
    assert WHATSAPP["access_token"] not in card and WHATSAPP["app_secret"] not in card


def test_the_connect_form_shows_it_is_busy_and_keeps_entries_after_a_refusal(auth_client, db, rsps):
    html = _card(auth_client.get("/integrations").get_data(as_text=True), "card-whatsapp-new")
    assert 'hx-indicator="#connect-busy-card-whatsapp-new"' in html
    assert "hx-disabled-elt=\"find button[type='submit']\"" in html and "Checking the credentials" in html
    rsps.add(responses.GET, f"{GRAPH}/{PHONE_ID}", status=401,
             json=load("meta", "integrations_error_190_invalid_token.json"))  # fmt: skip
    form = {k: v for k, v in WHATSAPP.items() if k != "platform"}
    response = auth_client.post(
        "/integrations/whatsapp/connect", data=form,
        headers={"HX-Request": "true", "X-CSRFToken": csrf_token(auth_client)},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for kept in (PHONE_ID, WHATSAPP["waba_id"], WHATSAPP["verify_token"]):
        assert f'value="{kept}"' in html
    assert WHATSAPP["access_token"] not in html and WHATSAPP["app_secret"] not in html
    assert "enter the access token and app secret again" in html
