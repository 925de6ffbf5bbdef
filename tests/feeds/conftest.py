"""Fixtures for the product feed tests: the demo store (uniform or awkward catalog) synced into the app by a
real bulk sync, its webhooks captured (signed by the store) to be posted through the real intake, the feed
read back and validated against the fetched ACP schema and OpenAI's feed row."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema
import pytest
import responses

from app.demo_store import DemoStore
from app.demo_store.testing import mount_on_responses
from app.models import Integration, SyncRun
from app.models.types import utcnow
from app.sync import service

SHOP = "feed-store.myshopify.com"
TOKEN = "shpat_feed_test_token"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "acp"
ACP = json.loads((FIXTURES / "schema.feed.json").read_text())
FLAT = json.loads((FIXTURES / "openai_feed_row.schema.json").read_text())
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


def acp_validator(definition: str = "Product") -> jsonschema.Draft202012Validator:
    schema = {"$schema": ACP["$schema"], "$defs": ACP["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


def flat_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(FLAT, format_checker=FORMATS)


def problems(validator, rows: list[dict]) -> list[str]:
    found = []
    for number, row in enumerate(rows):
        for error in validator.iter_errors(row):
            found.append(f"row {number}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    return found[:20]


def read_feed(client, query: str = "", **headers) -> tuple[list[dict], object]:
    response = client.get(f"/api/feeds/acp{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode().splitlines() if line], response


@pytest.fixture(autouse=True)
def no_sleep(app, monkeypatch):
    monkeypatch.setitem(app.config, "SYNC_CLIENT_OPTIONS", {"sleep": lambda seconds: None})
    monkeypatch.setitem(app.config, "SYNC_AFTER_PAGE_COMMIT", None)


@pytest.fixture
def deliveries():
    return []


@pytest.fixture
def store(app, tmp_path, deliveries):
    demo = DemoStore(
        ":memory:",
        api_key=app.config["SHOPIFY_API_KEY"],
        api_secret=app.config["SHOPIFY_API_SECRET"],
        default_products=1000,
        default_orders=0,
        throttle_off=True,
        bulk_mode="sync",
        deliver=lambda url, body, headers: deliveries.append({"body": body, "headers": headers}),
        bulk_dir=str(tmp_path / "bulk"),
        public_url=f"https://{SHOP}",
    )
    demo.seed_shop(SHOP)
    demo.add_custom_token(SHOP, TOKEN)
    yield demo
    demo.db.close()


@pytest.fixture
def synced(db, workspace, store, run_jobs):
    """`synced(catalog="uniform"|"awkward")`: the shop seeded with that catalog and bulk-synced; the
    integration id."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount_on_responses(rsps, store)

        def run(catalog: str = "uniform") -> int:
            store.seed_shop(SHOP, catalog=catalog)
            row = Integration(workspace_id=workspace.id, platform="shopify", account_id=SHOP, display_name="Feed",
                              status="connected", config={"currency": "USD"}, proved_at=utcnow())  # fmt: skip
            row.set_secrets(access_token=TOKEN)
            db.session.add(row)
            db.session.commit()
            integration_id = row.id
            run_id = service.start_sync(db.session.get(Integration, integration_id), "bulk").id
            run_jobs()
            assert db.session.get(SyncRun, run_id).status == "succeeded"
            return integration_id

        yield run
