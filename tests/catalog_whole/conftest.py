"""Fixtures for the whole-catalog tests: Shopify-shaped shops behind `responses`, connected integrations."""

from __future__ import annotations

import pytest
import responses

from app.models import Integration, SyncRun
from app.models.types import utcnow
from app.sync import runner, service
from tests.webhooks.conftest import post_shopify  # noqa: F401  (signed deliveries, as Shopify sends them)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(runner, "client_options", {"sleep": lambda seconds: None})
    monkeypatch.setattr(runner, "after_page_commit", None)


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
