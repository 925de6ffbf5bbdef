"""The pages work under the Content-Security-Policy: every main page loads, htmx swaps and confirms, with no
violation reported (the `page` fixture fails a test on any). The probe itself is shown to catch one."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from app.extensions import db
from app.models import Product, ProductVariant

MAIN_PAGES = ["/", "/integrations", "/products", "/orders/", "/logs/", "/conversations/", "/settings/",
              "/settings/tokens", "/settings/agents"]  # fmt: skip


def _product(workspace, title="Linen Shirt"):
    product = Product(workspace_id=workspace.id, title=title, currency="EUR", price_min=Decimal("20.00"),
                      price_max=Decimal("20.00"), platform_sync={}, images=[])  # fmt: skip
    product.variants.append(ProductVariant(workspace_id=workspace.id, sku="LIN-1", price=Decimal("20.00"),
                                           inventory_quantity=3))  # fmt: skip
    db.session.add(product)
    db.session.commit()
    return product.id


def test_main_pages_load_under_the_policy(logged_in_page, workspace, csp_violations):
    page = logged_in_page
    _product(workspace)
    for path in MAIN_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        page.wait_for_load_state("load")
    # htmx loaded and works: search as you type swaps the rows, the indicator styles come from app.css.
    page.goto("/products")
    assert page.evaluate("() => typeof htmx === 'object' && htmx.config.includeIndicatorStyles === false")
    page.get_by_label("Search").press_sequentially("zzz", delay=30)
    expect(page.locator("#product-rows tr")).to_have_count(1)  # the "no products" row
    assert csp_violations == []


def test_delete_confirmation_works_without_an_inline_handler(logged_in_page, workspace):
    page = logged_in_page
    product_id = _product(workspace, "Wool Coat")
    page.goto(f"/products/{product_id}")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Delete product").click()
    expect(page).to_have_url(f"/products/{product_id}")
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete product").click()
    expect(page.get_by_text("Deleted “Wool Coat”.")).to_be_visible()
    assert messages == ["Delete this product?", "Delete this product?"]


def test_the_probe_reports_an_inline_script(logged_in_page, csp_violations):
    page = logged_in_page
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; "
                  "document.body.appendChild(s); }")  # fmt: skip
    page.wait_for_function("() => true")
    page.wait_for_timeout(300)
    assert any("script-src" in v for v in csp_violations), csp_violations
    assert page.evaluate("() => window.x") is None  # blocked
    csp_violations.clear()  # this test's violation was the point


def test_an_agent_token_is_made_and_its_configuration_copied(logged_in_page, csp_violations):
    page = logged_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/settings/agents")
    page.get_by_label("Token name").fill("Claude")
    page.get_by_role("button", name="Create agent token").click()
    expect(page.get_by_text("Your new token is in the configuration below")).to_be_visible()
    page.locator("[data-copy=http-config]").click()
    expect(page.locator("[data-copy=http-config]")).to_have_text("Copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert '"Authorization": "Bearer wag_' in copied
