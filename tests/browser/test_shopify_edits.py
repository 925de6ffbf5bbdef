"""In a real browser: an edit of a Shopify product shows "Saving to Shopify…" and then "Saved to Shopify"
once the demo store holds it; bulk delete asks first, hides only after the confirmation, and Undo brings
the product back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, update

from app.demo_store import DemoStore, catalog
from app.demo_store.testing import run_in_thread
from app.extensions import db as _db
from app.models import Integration, Product, ProductMedia, ProductVariant
from app.sync.refresh import refresh_products

SHOP = "browser-edits.myshopify.com"
TOKEN = "shpat_browser_edits_token"


@pytest.fixture
def shop_product(app, monkeypatch, tmp_path, workspace):
    """A demo shop on a loopback port, connected, and its first product read into the workspace."""
    store = DemoStore(str(tmp_path / "store.sqlite3"), api_key="test-api-key", api_secret="test-api-secret",
                      deliver=lambda url, body, headers: None, throttle_off=True)  # fmt: skip
    store.seed_shop(SHOP, products=3, orders=0)
    store.add_custom_token(SHOP, TOKEN)
    url, stop = run_in_thread(store)
    monkeypatch.setitem(app.config, "SHOPIFY_API_BASE", url + "/demo-store/{shop}")
    integration = Integration(workspace_id=workspace.id, platform="shopify", account_id=SHOP, status="connected",
                              display_name="Edits", config={"currency": "USD"})  # fmt: skip
    integration.set_secrets(access_token=TOKEN)
    product = Product(workspace_id=workspace.id, title="Stale", images=[], platform_sync={},
                      shopify_product_id=catalog.gid("Product", catalog.product_id(0)))  # fmt: skip
    _db.session.add_all([integration, product])
    _db.session.commit()
    refresh_products(workspace.id, [product.id])
    # The demo's images are served over http from the loopback port, which the page's CSP (https images,
    # as Shopify's CDN serves) rightly refuses: this test is about the edit, not the media.
    _db.session.execute(delete(ProductMedia).where(ProductMedia.product_id == product.id))
    _db.session.execute(
        update(ProductVariant).where(ProductVariant.product_id == product.id).values(image_url=None)
    )
    _db.session.commit()
    yield store, product.id
    stop()


def test_edit_shows_saving_then_saved_to_shopify(logged_in_page, shop_product, live_worker):
    store, product_id = shop_product
    page = logged_in_page
    page.goto(f"/products/{product_id}")
    form = page.locator("#edit form").first
    form.get_by_label("Title").fill("Edited in the browser")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".shopify-state").first).to_contain_text("Saved to Shopify", timeout=20_000)
    assert store.product(SHOP, 0)["title"] == "Edited in the browser"


def test_bulk_delete_asks_then_undo_restores(logged_in_page, shop_product, live_worker):
    _store, product_id = shop_product
    page = logged_in_page
    page.goto("/products")
    row = page.locator(f"#product-{product_id}")
    row.get_by_role("checkbox").check()
    page.get_by_label("Bulk action").select_option("delete")
    page.get_by_role("button", name="Run on selected").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete 1 product?")
    expect(dialog).to_contain_text("stay in your Shopify store")
    _db.session.expire_all()
    assert _db.session.get(Product, product_id).deleted_at is None  # asked, not done
    dialog.get_by_role("button", name="Delete 1 product").click()
    job = page.locator("#bulk-job")
    expect(job.locator(".bulk-status")).to_have_text("done", timeout=20_000)
    expect(row).to_have_count(0)
    job.get_by_role("button", name="Undo").click()
    expect(page.locator("#bulk-job")).to_contain_text("Restored 1 product.")
    expect(page.locator(f"#product-{product_id}")).to_be_visible()
    _db.session.expire_all()
    assert _db.session.get(Product, product_id).deleted_at is None
