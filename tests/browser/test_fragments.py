"""A URL that htmx loaded as a fragment (and pushed into the address bar) is still the whole page when the
browser itself loads it: on reload, and on going back to it after leaving for another page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.extensions import db as _db
from app.models import Product, ProductVariant


@pytest.fixture
def catalog(workspace):
    for title, sku in [("Linen Shirt", "LIN-1"), ("Wool Coat", "WOO-1")]:
        product = Product(workspace_id=workspace.id, title=title, currency="EUR", price_min=Decimal("20.00"),
                          price_max=Decimal("20.00"), platform_sync={}, images=[])  # fmt: skip
        product.variants.append(ProductVariant(workspace_id=workspace.id, sku=sku, price=Decimal("20.00"),
                                               inventory_quantity=3))  # fmt: skip
        _db.session.add(product)
    _db.session.commit()


def test_a_pushed_fragment_url_is_the_whole_page_on_reload_and_back(logged_in_page, catalog):
    page = logged_in_page
    page.goto("/products")
    rows = page.locator("#product-rows tr")
    expect(rows).to_have_count(2)
    with page.expect_response(lambda r: "q=lin" in r.url and r.request.headers.get("hx-request")) as swap:
        page.get_by_label("Search").press_sequentially("lin", delay=50)
    assert "hx-request" in swap.value.headers.get("vary", "").lower()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=lin"))

    page.goto("/orders/")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/products\?q=lin"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_label("Search")).to_be_visible()
    expect(rows).to_have_count(1)

    page.reload()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_label("Search")).to_have_value("lin")
    expect(rows).to_have_count(1)
