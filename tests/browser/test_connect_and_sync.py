"""The merchant's first minutes, in a real browser: connect the demo store with a custom-app token, see the
card turn connected, press Sync now, watch the bar reach 100% and find the products listed."""

import pytest

from app.demo_store import DemoStore
from app.demo_store.testing import run_in_thread

SHOP = "browser-demo.myshopify.com"
TOKEN = "shpat_browser_demo_token"
PRODUCTS = 60


@pytest.fixture
def demo_shop(app, monkeypatch, tmp_path):
    store = DemoStore(
        str(tmp_path / "store.sqlite3"), api_key="test-api-key", api_secret="test-api-secret",
        deliver=lambda url, body, headers: None, throttle_off=True,
    )  # fmt: skip
    store.seed_shop(SHOP, products=PRODUCTS, orders=0)
    store.add_custom_token(SHOP, TOKEN)
    url, stop = run_in_thread(store)
    monkeypatch.setitem(app.config, "SHOPIFY_API_BASE", url + "/demo-store/{shop}")
    yield store
    stop()


def test_connect_demo_store_then_sync_to_100_percent(logged_in_page, demo_shop, live_worker, db):
    page = logged_in_page
    page.goto("/integrations")
    card = page.locator('article[data-platform="shopify"]')
    card.get_by_label("Store address").fill(SHOP)
    card.get_by_label("Access token").fill(TOKEN)
    card.get_by_role("button", name="Connect Shopify").click()
    connected = page.locator('article[data-platform="shopify"][data-status="connected"]')
    connected.wait_for()
    assert SHOP in connected.inner_text()

    # Connecting queued the first full sync; wait for it so the button starts a fresh run.
    first = page.locator('.sync-progress[data-status="succeeded"]')
    first.wait_for(timeout=30_000)
    first_id = first.get_attribute("id")
    connected.get_by_role("button", name="Sync now").click()
    done = page.locator(f'.sync-progress[data-status="succeeded"]:not(#{first_id})')
    done.wait_for(timeout=30_000)
    assert done.get_attribute("data-processed") == str(PRODUCTS)
    assert (
        "100%" in done.locator("progress").inner_text()
        or done.locator("progress").get_attribute("value") == "100"
    )

    page.goto("/products")
    assert page.locator("tbody tr").count() > 0
    assert "products" in page.content().lower()
