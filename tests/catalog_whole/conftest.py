"""Fixtures for the whole-catalog tests: Shopify-shaped shops behind `responses` (hand-made ones, and the demo
store's awkward shop: `store`, `shopify`, `integration_id`), connected integrations."""

from __future__ import annotations

import pytest
import responses

from app.demo_store import DemoStore
from app.demo_store.testing import mount_on_responses
from app.models import Integration, SyncRun
from app.models.types import utcnow
from app.sync import service
from tests.webhooks.conftest import post_shopify  # noqa: F401  (signed deliveries, as Shopify sends them)


@pytest.fixture(autouse=True)
def no_sleep(app, monkeypatch):
    """Throttle waits are not slept (the sync's `SyncOptions`, from the app's config)."""
    monkeypatch.setitem(app.config, "SYNC_CLIENT_OPTIONS", {"sleep": lambda seconds: None})
    monkeypatch.setitem(app.config, "SYNC_AFTER_PAGE_COMMIT", None)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def connect(db, workspace):
    def make(domain: str, workspace_id: int | None = None) -> int:
        row = Integration(workspace_id=workspace_id or workspace.id, platform="shopify", account_id=domain,
                          display_name=domain, status="connected", config={"currency": "EUR"}, proved_at=utcnow())  # fmt: skip
        row.set_secrets(access_token=f"shpat_{domain[:8]}")
        db.session.add(row)
        db.session.commit()
        return row.id

    return make


@pytest.fixture
def sync(db, run_jobs):
    def run(integration_id: int, kind: str = "full") -> SyncRun:
        run_id = service.start_sync(db.session.get(Integration, integration_id), kind).id
        run_jobs()
        return db.session.get(SyncRun, run_id, populate_existing=True)

    return run


# The awkward demo shop (`app.demo_store.awkward`) behind `responses`, and an empty workspace connected to it.
AWKWARD_SHOP = "awkward-fidelity.myshopify.com"
AWKWARD_TOKEN = "shpat_awkward_fidelity"


@pytest.fixture
def store(app, tmp_path):
    deliveries: list[dict] = []
    demo = DemoStore(
        ":memory:", api_key=app.config["SHOPIFY_API_KEY"], api_secret=app.config["SHOPIFY_API_SECRET"],
        throttle_off=True, bulk_mode="sync", deliver=lambda url, body, headers: deliveries.append(
            {"url": url, "body": body, "headers": headers}),
        bulk_dir=str(tmp_path / "bulk"), public_url=f"https://{AWKWARD_SHOP}", catalog="awkward",
    )  # fmt: skip
    demo.seed_shop(AWKWARD_SHOP, catalog="awkward")
    demo.add_custom_token(AWKWARD_SHOP, AWKWARD_TOKEN)
    demo.captured = deliveries
    yield demo
    demo.db.close()


@pytest.fixture
def shopify(store):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount_on_responses(rsps, store)
        yield rsps


@pytest.fixture
def integration_id(db, workspace, shopify):
    row = Integration(workspace_id=workspace.id, platform="shopify", account_id=AWKWARD_SHOP, display_name="Awkward",
                      status="connected", config={"currency": "USD"}, proved_at=utcnow())  # fmt: skip
    row.set_secrets(access_token=AWKWARD_TOKEN)
    db.session.add(row)
    db.session.commit()
    return row.id
