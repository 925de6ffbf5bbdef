"""The click commands against a store file, and the threaded server helper."""

from __future__ import annotations

import requests
import responses
from click.testing import CliRunner

from app.demo_store import DemoStore
from app.demo_store.cli import demo_store_cli
from app.demo_store.testing import run_in_thread

SHOP = "cli-shop.myshopify.com"


def test_seed_throttle_mutate_and_fire_share_the_store_file(tmp_path):
    db = str(tmp_path / "demo.sqlite3")
    runner = CliRunner()
    result = runner.invoke(
        demo_store_cli, ["seed", "--shop", SHOP, "--products", "50", "--orders", "3", "--db", db]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(demo_store_cli, ["throttle", "--shop", SHOP, "--rate", "50", "--bucket", "1000",
                                            "--db", db])  # fmt: skip
    assert result.exit_code == 0 and "1000 points" in result.output

    other_process = DemoStore(db)
    assert other_process.view(SHOP).product_count == 50
    assert other_process.throttle.status(SHOP)["maximumAvailable"] == 1000.0

    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, "http://app.test/webhooks/shopify", status=200)
        result = runner.invoke(demo_store_cli, ["mutate", "--shop", SHOP, "--product", "2", "--title", "New",
                                                "--db", db])  # fmt: skip
        assert result.exit_code == 0, result.output
        result = runner.invoke(demo_store_cli, ["fire", "products/update", "--shop", SHOP, "--product", "2",
                                                "--url", "http://app.test/webhooks/shopify", "--db", db])  # fmt: skip
        assert result.exit_code == 0, result.output
        (call,) = rsps.calls
        assert call.request.headers["X-Shopify-Topic"] == "products/update"
        assert b'"title":"New"' in call.request.body
    assert other_process.product(SHOP, 2)["title"] == "New"


def test_fire_without_subscription_or_url_fails(tmp_path):
    db = str(tmp_path / "demo.sqlite3")
    result = CliRunner().invoke(demo_store_cli, ["fire", "products/update", "--shop", SHOP, "--db", db])
    assert result.exit_code != 0
    assert "no subscription" in result.output


def test_run_in_thread_serves_over_loopback():
    store = DemoStore(default_products=10)
    store.add_custom_token(SHOP, "shpat_thread")
    url, stop = run_in_thread(store)
    try:
        response = requests.post(f"{url}/demo-store/{SHOP}/admin/api/2026-10/graphql.json",
                                 json={"query": "{ products(first: 5) { nodes { id } } }"},
                                 headers={"X-Shopify-Access-Token": "shpat_thread"}, timeout=10)  # fmt: skip
        assert len(response.json()["data"]["products"]["nodes"]) == 5
        image = requests.get(f"{url}/demo-store/{SHOP}/cdn/3.png", timeout=10)
        assert image.headers["Content-Type"] == "image/png" and image.content.startswith(b"\x89PNG")
    finally:
        stop()


def test_checkout_command_starts_touches_and_completes_a_checkout(tmp_path):
    db = str(tmp_path / "demo.sqlite3")
    runner = CliRunner()
    assert (
        runner.invoke(demo_store_cli, ["seed", "--shop", SHOP, "--products", "20", "--db", db]).exit_code == 0
    )
    DemoStore(db).subscribe(SHOP, "checkouts/create", "http://app.test/webhooks/shopify")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.POST, "http://app.test/webhooks/shopify", status=200)
        result = runner.invoke(demo_store_cli, ["checkout", "--shop", SHOP, "--product", "4", "--phone",
                                                "+351912345678", "--db", db])  # fmt: skip
        assert result.exit_code == 0, result.output
        (call,) = rsps.calls
        assert call.request.headers["X-Shopify-Topic"] == "checkouts/create"
    (made,) = DemoStore(db).checkouts(SHOP)
    assert f"checkout {made['id']} started: https://{SHOP}/" in result.output and made["accepts_sms"]
    result = runner.invoke(
        demo_store_cli, ["checkout", "--shop", SHOP, "--complete", str(made["id"]), "--db", db]
    )
    assert result.exit_code == 0 and "completed: order #1" in result.output
    assert DemoStore(db).checkouts(SHOP)[0]["completed_at"] is not None
    missing = runner.invoke(demo_store_cli, ["checkout", "--shop", SHOP, "--update", "1", "--db", db])
    assert missing.exit_code != 0 and "no checkout 1" in missing.output
