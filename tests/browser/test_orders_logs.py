"""Orders, logs and overview in a real browser: open an order, retry a failed webhook and watch the worker
settle it, dismiss an alert."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect

from app.extensions import db
from app.models import Alert, Order, OrderItem, Webhook


def _save(*rows):
    db.session.add_all(rows)
    db.session.commit()
    return rows


def test_open_an_order_from_the_list(logged_in_page, workspace):
    order = Order(workspace_id=workspace.id, source_platform="whatsapp", status="draft", number="#5001",
                  customer_name="Ana Lima", customer_phone="+5511999990000", currency="EUR",
                  total_price=Decimal("42.00"))  # fmt: skip
    _save(order)
    _save(OrderItem(order_id=order.id, title="Linen shirt", quantity=2, unit_price=Decimal("21.00"),
                    total_price=Decimal("42.00")))  # fmt: skip
    page = logged_in_page
    page.get_by_role("link", name="Orders").click()
    expect(page.get_by_text("Whatsapp chat")).to_be_visible()
    page.get_by_label("Status").select_option("draft")
    expect(page).to_have_url(re.compile(r"/orders/\?.*status=draft"))  # pushed by htmx
    page.get_by_role("link", name="#5001").click()
    expect(page.get_by_role("heading", name="Order #5001")).to_be_visible()
    expect(page.get_by_text("Linen shirt")).to_be_visible()
    expect(page.get_by_text("+5511999990000")).to_be_visible()


def test_retry_a_failed_webhook_and_see_it_processed(logged_in_page, workspace, live_worker):
    # No handler is registered for this topic: processing logs a skip and marks the delivery processed.
    (webhook,) = _save(
        Webhook(
            workspace_id=workspace.id,
            platform="shopify",
            topic="test/no-handler",
            delivery_id="browser-1",
            payload='{"id": 1}',
            status="failed",
            attempts=1,
            error="RuntimeError: boom",
        )  # fmt: skip
    )
    page = logged_in_page
    page.goto("/logs/webhooks?status=failed")
    row = page.locator(f"#webhook-{webhook.id}")
    expect(row.locator(".badge")).to_have_text("failed")
    row.get_by_role("button", name="Retry").click()
    # The row swaps to pending and polls itself until the worker has processed the delivery.
    expect(page.locator(f"#webhook-{webhook.id} .badge")).to_have_text("processed", timeout=15_000)
    expect(page.locator(f"#webhook-{webhook.id}").get_by_role("button", name="Retry")).to_have_count(0)


def test_dismiss_an_alert_on_the_overview(logged_in_page, workspace):
    (alert,) = _save(
        Alert(workspace_id=workspace.id, source="sync", message="Shopify sync failed: token expired")
    )
    page = logged_in_page
    page.reload()
    expect(page.get_by_text("Shopify sync failed: token expired")).to_be_visible()
    page.locator(f"#alert-{alert.id}").get_by_role("button", name="Dismiss").click()
    expect(page.locator(f"#alert-{alert.id}")).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Shopify sync failed: token expired")).to_have_count(0)
