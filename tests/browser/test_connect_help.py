"""Connecting WhatsApp in a real browser: the button is disabled and says it is checking while Meta answers
(slowly here), the refusal keeps what was typed, and the webhook URL copies to the clipboard."""

from __future__ import annotations

import json
import time
from pathlib import Path

import responses

GRAPH = "https://graph.facebook.com/v25.0"
PHONE_ID = "106540352242922"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta"


def test_whatsapp_connect_shows_a_spinner_and_keeps_entries(logged_in_page):
    page = logged_in_page
    refusal = json.loads((FIXTURES / "integrations_error_190_invalid_token.json").read_text())

    def slow_refusal(request):
        time.sleep(1.5)  # Meta takes its time: the form must say it is working meanwhile
        return 401, {"Content-Type": "application/json"}, json.dumps(refusal)

    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        rsps.add_callback(responses.GET, f"{GRAPH}/{PHONE_ID}", callback=slow_refusal)
        page.goto("/integrations")
        card = page.locator('article[data-platform="whatsapp"]')
        card.get_by_label("Phone number ID").fill(PHONE_ID)
        card.get_by_label("WhatsApp Business Account ID").fill("102290129340398")
        card.get_by_label("Access token").fill("EAAG-wrong")
        card.get_by_label("App secret").fill("secret")
        button = card.get_by_role("button", name="Connect WhatsApp")
        button.click()
        busy = card.locator(".htmx-indicator")
        page.wait_for_function("b => b.disabled", arg=button.element_handle(), timeout=1000)
        page.wait_for_function(
            "e => getComputedStyle(e).opacity === '1'", arg=busy.element_handle(), timeout=1000
        )
        assert "Checking the credentials" in busy.inner_text()
        card = page.locator('article[data-platform="whatsapp"]')
        card.locator(".flash.error").wait_for()
    assert card.get_by_label("Phone number ID").input_value() == PHONE_ID
    assert card.get_by_label("WhatsApp Business Account ID").input_value() == "102290129340398"
    assert card.get_by_label("Access token").input_value() == ""
    assert "enter the access token and app secret again" in card.inner_text()
    assert card.get_by_role("button", name="Connect WhatsApp").is_enabled()


def test_webhook_url_copies_to_the_clipboard(logged_in_page, live_server):
    page = logged_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto("/integrations")
    card = page.locator('article[data-platform="whatsapp"]')
    url = card.locator("code", has_text="/api/webhooks/whatsapp").inner_text()
    button = card.get_by_role("button", name="Copy Callback URL")
    button.click()
    page.wait_for_function("b => b.textContent === 'Copied'", arg=button.element_handle())
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert url.endswith("/api/webhooks/whatsapp")
