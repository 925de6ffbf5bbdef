"""The merchant's first minutes, in a real browser: connect the demo store with a custom-app token, see the
card turn connected and its first sync (catalog, then orders) succeed, press Sync now, watch the bar reach
100% and find the products listed; and the card's answer to Sync now pressed during a run."""

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

    # Connecting queued the first full sync, then its orders run; wait for both so the button starts a fresh
    # run. The card shows the latest run as it is, so a run that ended before the card came still shows.
    first = page.locator('.sync-progress[data-kind="full"][data-status="succeeded"]')
    first.wait_for(timeout=30_000)
    page.locator('.sync-progress[data-kind="orders"][data-status="succeeded"]').wait_for(timeout=30_000)
    first_id = first.get_attribute("id")
    connected.get_by_role("button", name="Sync now").click()
    done = page.locator(f'.sync-progress[data-kind="full"][data-status="succeeded"]:not(#{first_id})')
    done.wait_for(timeout=30_000)
    assert done.get_attribute("data-processed") == str(PRODUCTS)
    assert (
        "100%" in done.locator(":scope > progress").inner_text()
        or done.locator(":scope > progress").get_attribute("value") == "100"
    )

    page.goto("/products")
    assert page.locator("tbody tr").count() > 0
    assert "products" in page.content().lower()


def test_sync_now_during_a_run_answers_in_the_card(logged_in_page, demo_shop, db, user):
    from app.models import Integration
    from app.sync import service

    row = Integration(workspace_id=user.workspace_id, platform="shopify", account_id=SHOP, status="connected",
                      display_name="Browser Demo", config={})  # fmt: skip
    row.set_secrets(access_token=TOKEN)
    db.session.add(row)
    db.session.commit()
    running = service.start_sync(row, "full", enqueue_job=False)  # no worker: it stays queued
    page = logged_in_page
    page.goto("/integrations")
    card = page.locator('article[data-platform="shopify"]')
    card.locator(f'#sync-run-{running.id}[data-status="queued"]').wait_for()
    card.get_by_role("button", name="Sync now").click()
    notice = card.get_by_text("A sync is already running — following it.")
    notice.wait_for()
    page.wait_for_timeout(2_500)  # two polls later, still said and still following the same run
    assert notice.is_visible() and card.locator(f"#sync-run-{running.id}").count() == 1
