"""Products in a real browser: search as you type, inline edit (with a validation error), bulk action progress."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.extensions import db as _db
from app.models import Product, ProductVariant


@pytest.fixture
def catalog(workspace):
    rows = []
    for title, sku in [("Linen Shirt", "LIN-1"), ("Wool Coat", "WOO-1"), ("Canvas Tote", "CAN-1")]:
        product = Product(workspace_id=workspace.id, title=title, currency="EUR", price_min=Decimal("20.00"),
                          price_max=Decimal("20.00"), platform_sync={}, images=[])  # fmt: skip
        product.variants.append(ProductVariant(workspace_id=workspace.id, sku=sku, price=Decimal("20.00"),
                                               inventory_quantity=3))  # fmt: skip
        _db.session.add(product)
        rows.append(product)
    _db.session.commit()
    return [p.id for p in rows]


def test_search_products_as_you_type(logged_in_page, catalog):
    page = logged_in_page
    page.get_by_role("link", name="Products").click()
    rows = page.locator("#product-rows tr")
    expect(rows).to_have_count(3)
    page.get_by_label("Search").press_sequentially("lin", delay=50)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Linen Shirt")
    expect(page).to_have_url(re.compile(r"q=lin"))
    page.get_by_label("Search").fill("WOO-1")
    page.get_by_label("Search").press("End")
    expect(rows.first).to_contain_text("Wool Coat")


def test_edit_a_product_inline(logged_in_page, catalog):
    page = logged_in_page
    page.goto("/products")
    page.get_by_role("link", name="Edit Linen Shirt").click()
    editing = page.locator("tr.editing")
    expect(editing).to_be_visible()
    editing.get_by_label("Title").fill("")
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing")).to_contain_text("Required.")
    page.locator("tr.editing").get_by_label("Title").fill("Linen Shirt XL")
    page.locator("tr.editing").get_by_label("Price").fill("24.50")
    page.locator("tr.editing").get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing")).to_have_count(0)
    row = page.locator(f"#product-{catalog[0]}")
    expect(row).to_contain_text("Linen Shirt XL")
    expect(row).to_contain_text("24.50")
    page.reload()
    expect(page.locator(f"#product-{catalog[0]}")).to_contain_text("Linen Shirt XL")


def test_bulk_action_shows_progress_until_done(logged_in_page, catalog, live_worker):
    page = logged_in_page
    page.goto("/products")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Select Linen Shirt").check()
    page.get_by_label("Select Wool Coat").check()
    page.get_by_label("Bulk action").select_option("status")
    page.get_by_label("New status").select_option("archived")
    page.get_by_role("button", name="Run on selected").click()
    job = page.locator("#bulk-job")
    expect(job).to_be_visible()
    expect(job.locator(".bulk-status")).to_have_text("done", timeout=15_000)
    expect(job).to_contain_text("2 / 2")
    # The finished job refreshes the list (HX-Trigger: products-changed).
    expect(page.locator(f"#product-{catalog[0]}")).to_contain_text("archived")
    expect(page.locator(f"#product-{catalog[2]}")).to_contain_text("active")
