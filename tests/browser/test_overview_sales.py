"""The sales overview in a real browser: switching the date range (presets and a custom from-to) swaps the
sales section through htmx, pushes the URL, and the figures follow."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from app.extensions import db
from app.models import Order
from app.models.types import utcnow


def test_date_range_switch_updates_the_figures(logged_in_page, workspace):
    now = utcnow()
    db.session.add_all([
        Order(workspace_id=workspace.id, source_platform="shopify", external_id="1", status="open", currency="EUR",
              total_price=Decimal("1250.00"), created_at=now - timedelta(hours=1)),
        Order(workspace_id=workspace.id, source_platform="agent", external_id="2", status="committed",
              currency="EUR", total_price=Decimal("80.00"), created_at=now - timedelta(days=20)),
    ])  # fmt: skip
    db.session.commit()
    page = logged_in_page
    page.goto("/")
    revenue = page.locator('[data-currency="EUR"] [data-figure="revenue"]')
    orders = page.locator('[data-currency="EUR"] [data-figure="orders"]')
    expect(page.locator("[data-period]")).to_have_text("Last 7 days")
    expect(revenue).to_have_text("€1,250.00")
    expect(orders).to_have_text("1")

    page.get_by_role("link", name="Last 30 days").click()
    expect(page.locator("[data-period]")).to_have_text("Last 30 days")
    expect(revenue).to_have_text("€1,330.00")
    expect(page.locator('[data-currency="EUR"] [data-figure="agent"]')).to_have_text("€80.00")
    expect(page).to_have_url(re.compile(r"/\?range=30d$"))  # pushed by htmx: the URL reloads the same view

    day = (now - timedelta(days=20)).date().isoformat()
    form = page.get_by_role("form", name="Custom date range")
    form.get_by_label("From").fill(day)
    form.get_by_label("To").fill(day)
    form.get_by_role("button", name="Show").click()
    expect(page.locator("[data-period]")).to_have_text(f"{day} to {day}")
    expect(revenue).to_have_text("€80.00")
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()  # only #sales was swapped

    page.goto("/?range=custom&from=2026-02-30&to=2026-03-01")
    expect(page.locator("#range-error")).to_contain_text("'from' must be a date")
