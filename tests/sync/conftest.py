"""Fixtures for sync tests: the demo store behind `responses` (the real https://<shop>/admin/... URLs, no
server, no network), a connected Shopify integration on it, and a client that never really sleeps."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import responses

from app.demo_store import DemoStore
from app.demo_store.testing import mount_on_responses
from app.models import Integration

SHOP = "sync-store.myshopify.com"
TOKEN = "shpat_sync_test_token"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


class Clock:
    """Real time plus an offset the test can move (token expiry without sleeping)."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def store_clock():
    return Clock()


@pytest.fixture
def store(app, store_clock, tmp_path):
    demo = DemoStore(
        ":memory:",
        api_key=app.config["SHOPIFY_API_KEY"],
        api_secret=app.config["SHOPIFY_API_SECRET"],
        clock=store_clock,
        default_products=120,
        default_orders=10,
        throttle_off=True,
        bulk_mode="sync",
        deliver=lambda url, body, headers: None,
        bulk_dir=str(tmp_path / "bulk"),
        # Bulk files and image URLs then carry the shop's own host, as paged answers do.
        public_url=f"https://{SHOP}",
    )
    demo.seed_shop(SHOP)
    demo.add_custom_token(SHOP, TOKEN)
    yield demo
    demo.db.close()


@pytest.fixture
def shopify(store):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.demo_app = mount_on_responses(rsps, store)
        yield rsps


@pytest.fixture(autouse=True)
def no_sleep(app, monkeypatch):
    """Retries and throttle waits are recorded, not slept (the sync's `SyncOptions`, from the app's config)."""
    slept: list[float] = []
    monkeypatch.setitem(app.config, "SYNC_CLIENT_OPTIONS", {"sleep": slept.append})
    monkeypatch.setitem(app.config, "SYNC_AFTER_PAGE_COMMIT", None)
    # The 120-product test catalog in five pages of 24, so kills, expiries and progress land mid-run.
    monkeypatch.setitem(app.config, "SYNC_PAGE_SIZE", 24)
    return slept


@pytest.fixture
def after_page_commit(app, monkeypatch):
    """`after_page_commit(hook)` runs `hook(ctx, page number)` after every committed page of the next runs;
    `after_page_commit(None)` stops it."""

    def set_hook(hook):
        monkeypatch.setitem(app.config, "SYNC_AFTER_PAGE_COMMIT", hook)

    return set_hook


@pytest.fixture
def integration(db, workspace, shopify):
    row = Integration(workspace_id=workspace.id, platform="shopify", account_id=SHOP, display_name="Sync Store",
                      status="connected", config={"currency": "USD"})  # fmt: skip
    row.set_secrets(access_token=TOKEN)
    db.session.add(row)
    db.session.commit()
    return row


def fixture_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())
