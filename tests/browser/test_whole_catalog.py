"""A real merchant's catalog, whole, in a real browser: the demo store's awkward catalog (four locations, one
not fulfilling online orders and one closed; 100- and 2,048-variant products; 250 images; a 500-line,
split-fulfilled order) synced through the app's own sync, then walked: the Shopify card's locations, the
Products page filtered by location and by collection, a product's media and stock per location, a change of
the sell-from locations and the stock it changes, and the order page's fulfillments and tracking links."""

from __future__ import annotations

import re

import pytest
import responses
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo_store import DemoStore, awkward
from app.demo_store.testing import mount_on_responses
from app.extensions import db as _db
from app.models import (
    Collection,
    CollectionProduct,
    Integration,
    Location,
    Order,
    Product,
    ProductVariant,
    SyncRun,
    VariantLocationStock,
)
from app.models.types import utcnow
from app.sync import service

SHOP = "browser-awkward.myshopify.com"
TOKEN = "shpat_browser_awkward"


@pytest.fixture
def synced(app, workspace, run_jobs, monkeypatch, tmp_path):
    """The awkward shop synced into the workspace by a full sync and an orders sync (the demo store behind `responses`); gives
    the integration's id."""
    monkeypatch.setitem(app.config, "SYNC_CLIENT_OPTIONS", {"sleep": lambda seconds: None})
    store = DemoStore(":memory:", api_key=app.config["SHOPIFY_API_KEY"], api_secret=app.config["SHOPIFY_API_SECRET"],
                      throttle_off=True, bulk_mode="sync", deliver=lambda url, body, headers: None,
                      bulk_dir=str(tmp_path / "bulk"), public_url=f"https://{SHOP}")  # fmt: skip
    store.seed_shop(SHOP, catalog="awkward")
    store.add_custom_token(SHOP, TOKEN)
    row = Integration(workspace_id=workspace.id, platform="shopify", account_id=SHOP, display_name="Awkward shop",
                      status="connected", config={"currency": "EUR"}, proved_at=utcnow())  # fmt: skip
    row.set_secrets(access_token=TOKEN)
    _db.session.add(row)
    _db.session.commit()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount_on_responses(rsps, store)
        integration_id = row.id
        run_ids = []
        for kind in ("full", "orders"):
            run_ids.append(service.start_sync(_db.session.get(Integration, integration_id), kind).id)
            run_jobs()
    assert [_db.session.get(SyncRun, r).status for r in run_ids] == ["succeeded", "succeeded"]
    yield integration_id
    store.db.close()


def _location_ids() -> dict[str, int]:
    return {loc.name: loc.id for loc in _db.session.scalars(select(Location))}


def _titles_stocked_at(location_id: int) -> set[str]:
    """The test's own reading: products with a variant Shopify lists as available at the location."""
    stmt = (
        select(Product.title)
        .join(ProductVariant, ProductVariant.product_id == Product.id)
        .join(VariantLocationStock, VariantLocationStock.variant_id == ProductVariant.id)
        .where(VariantLocationStock.location_id == location_id, VariantLocationStock.available > 0)
    )
    return set(_db.session.scalars(stmt))


def _row_titles(page) -> set[str]:
    return set(page.locator("#product-rows a.product-title").all_inner_texts())


def test_walk_the_whole_catalog(logged_in_page, synced):
    page = logged_in_page
    ids = _location_ids()
    assert set(ids) == {"Lisbon warehouse", "Porto store", "Showroom (no online orders)", "Old depot"}

    # The Shopify card: every location, the default choice (those fulfilling online orders), the closed one
    # that cannot be chosen.
    page.goto("/integrations")
    block = page.locator(f"#locations-{synced}")
    expect(block.locator("label.location")).to_have_count(4)
    box = {name: block.locator(f'input[value="{ids[name]}"]') for name in ids}
    expect(box["Lisbon warehouse"]).to_be_checked()
    expect(box["Porto store"]).to_be_checked()
    expect(box["Showroom (no online orders)"]).not_to_be_checked()
    expect(box["Old depot"]).to_be_disabled()

    # Products filtered by location (htmx swaps the table and pushes the URL), then by collection too.
    page.get_by_role("link", name="Products").click()
    rows = page.locator("#product-rows tr")
    expect(rows).to_have_count(awkward.DEFAULT_PRODUCTS)
    showroom = ids["Showroom (no online orders)"]
    page.get_by_label("Location").select_option(str(showroom))
    expected = _titles_stocked_at(showroom)
    assert 0 < len(expected) < awkward.DEFAULT_PRODUCTS
    expect(rows).to_have_count(len(expected))
    expect(page).to_have_url(re.compile(rf"location={showroom}"))
    assert _row_titles(page) == expected
    staff = _db.session.scalars(select(Collection).where(Collection.handle == "staff-favourites")).one()
    members = set(
        _db.session.scalars(
            select(Product.title).join(CollectionProduct).where(CollectionProduct.collection_id == staff.id)
        )
    )
    page.get_by_label("Location").select_option("")
    page.get_by_label("Collection").select_option(str(staff.id))
    expect(rows).to_have_count(len(members))
    expect(page).to_have_url(re.compile(rf"collection={staff.id}"))
    assert _row_titles(page) == members and "Hundred Variant Sneaker" in members
    page.reload()  # the pushed URL is a page of its own
    expect(rows).to_have_count(len(members))

    # The product page: media in Shopify's order with alt text, the variant's image, stock per location.
    page.get_by_role("link", name="Hundred Variant Sneaker", exact=True).click()
    media = page.locator(".media-list li")
    expect(media).to_have_count(5)
    expect(media.nth(0).locator("img")).to_have_attribute("alt", "Hundred Variant Sneaker — view 1 of 5")
    assert [m.get_attribute("data-position") for m in media.all()] == ["1", "2", "3", "4", "5"]
    by_location = page.get_by_role("table", name="Stock by location")
    expect(by_location.locator(f'tr[data-location="{ids["Lisbon warehouse"]}"]')).to_contain_text("sold from")
    expect(by_location.locator(f'tr[data-location="{showroom}"]')).to_contain_text("not sold from")
    variant = _db.session.scalars(
        select(ProductVariant).where(ProductVariant.shopify_variant_id == f"gid://shopify/ProductVariant/{awkward.variant_id(1, 0)}")
    ).one()  # fmt: skip
    first = page.locator(f'tr[data-variant="{variant.id}"]')
    expect(first.locator("img.thumb")).to_be_visible()
    expect(first.locator("td.num strong")).to_have_text("10")  # 4 at the warehouse + 6 at the store
    expect(first.locator(f'td[data-location="{ids["Porto store"]}"]')).to_contain_text("6")

    # Stop selling the Porto store's stock: the card saves it, and the product now sells 4.
    page.goto("/integrations")
    box["Porto store"] = page.locator(f'#locations-{synced} input[value="{ids["Porto store"]}"]')
    box["Porto store"].uncheck()
    page.locator(f"#locations-{synced}").get_by_role("button", name="Save locations").click()
    expect(page.locator(f"#locations-{synced} .flash.success")).to_contain_text("1 location changed")
    expect(page.locator(f'#locations-{synced} input[value="{ids["Porto store"]}"]')).not_to_be_checked()
    page.goto(f"/products/{variant.product_id}")
    expect(page.locator(f'tr[data-variant="{variant.id}"] td.num strong')).to_have_text("4")
    expect(
        page.get_by_role("table", name="Stock by location").locator(
            f'tr[data-location="{ids["Porto store"]}"]'
        )
    ).to_contain_text("not sold from")

    # The 500-line order: two fulfillments with their carriers and tracking links, the items paged.
    long_order = _db.session.scalars(select(Order).where(Order.number == "#1001")).one()
    page.goto("/orders/")
    page.get_by_role("link", name="#1001", exact=True).click()
    fulfillments = page.locator("#order-fulfillments")
    expect(fulfillments).to_contain_text("UPS")
    expect(fulfillments).to_contain_text("DHL Express")
    ups = fulfillments.get_by_role("link", name="1Z999AA10123456784")
    expect(ups).to_have_attribute("href", "https://www.ups.com/track?tracknum=1Z999AA10123456784")
    expect(fulfillments.get_by_role("link", name="JD014600006281230704")).to_have_attribute(
        "href", re.compile(r"^https://www\.dhl\.com/")
    )
    items = page.locator("#order-items")
    expect(items).to_contain_text("500 lines, 1–100 shown")
    items.get_by_role("link", name="Next items »").click()
    expect(page.locator("#order-items")).to_contain_text("101–200 shown")
    assert page.url.endswith(f"/orders/{long_order.id}")  # htmx swapped the detail in place
