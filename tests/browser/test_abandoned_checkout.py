"""In a real browser: switch on the abandoned-checkout reminder on the Messaging page, see the reminder a
checkout webhook led to in the outbox, and the order that followed it as recovered revenue on the overview."""

from __future__ import annotations

import re

import responses
from playwright.sync_api import expect

from app.extensions import db
from app.messaging.checkouts import sweep_checkouts
from app.models import MessageTemplate
from tests.messaging.conftest import StandInMeta
from tests.messaging.test_abandoned_checkouts import checkout, deliver, order_for_checkout
from tests.webhooks import conftest as webhook_fixtures

# The webhook tests' fixtures, for this file.
post_shopify = webhook_fixtures.post_shopify
shopify_integration = webhook_fixtures.shopify_integration
whatsapp_integration = webhook_fixtures.whatsapp_integration


def test_reminder_switched_on_in_the_browser_and_recovered_revenue_shown(
    logged_in_page,
    post_shopify,
    run_jobs,
    shopify_integration,
    whatsapp_integration,
):
    page = logged_in_page
    db.session.add(MessageTemplate(workspace_id=whatsapp_integration.workspace_id, integration_id=whatsapp_integration.id,
                                   name="carrito_abandonado", language="es_MX", category="marketing", status="APPROVED",
                                   components=[{"type": "BODY", "text": "Hola {{1}}, tu carrito: {{2}}"}]))  # fmt: skip
    db.session.commit()
    page.goto("/messaging")
    section = page.locator("#automation-abandoned_checkout")
    expect(section.get_by_role("heading", name="Abandoned checkout")).to_be_visible()
    section.get_by_label("On", exact=True).check()
    section.get_by_label("Template").select_option("carrito_abandonado|es_MX")
    section.get_by_label("Delay (minutes)").fill("30")
    section.get_by_role("button", name="Save").click()
    expect(page.locator("#automation-abandoned_checkout").get_by_role("status")).to_have_text("Saved.")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        meta = StandInMeta(mock)
        deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=40))])
        run_jobs()
        sweep_checkouts()
        run_jobs()
        assert len(meta.sent) == 1
        deliver(post_shopify, [("orders/create", order_for_checkout())])
        run_jobs()

    page.goto("/messaging")
    row = page.locator("tr", has_text="checkout:gid://shopify/AbandonedCheckout/981820079255243537:reminder")
    expect(row.locator(".badge")).to_have_text("sent")
    page.goto("/")
    expect(page.locator('[data-count="recovered_orders"]')).to_have_text("1")
    expect(page.locator("[data-recovered-total]")).to_have_text(re.compile(r"\$39\.98"))
