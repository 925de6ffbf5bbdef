"""The WhatsApp loop of the demo, in a real browser: switch the order confirmation on (Messaging), a paid order
placed in the demo store (its signed orders/create webhook), the message on the Demo phone with its ticks and
its status on Messaging; then the customer answers from the Demo phone, the answer lands in Conversations,
and the shop's reply from there reaches the phone."""

from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from app.demo_phone import DemoPhone, create_standalone_app
from app.demo_store import DemoStore
from app.extensions import db
from app.models import MessageTemplate
from app.models.scoping import WorkspaceScope
from app.services import demo_phone as service
from tests.webhooks import conftest as webhook_fixtures
from tests.webhooks.conftest import SHOP

shopify_integration = webhook_fixtures.shopify_integration  # the fixture: the shop, connected


@pytest.fixture
def stand_in(app, live_server, monkeypatch):
    phone = DemoPhone(app_secret="browser-stand-in-secret", webhook_url=live_server + "/api/webhooks/whatsapp",
                      delivered_after=0.3)  # fmt: skip
    server = make_server("127.0.0.1", 0, create_standalone_app(phone), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-meta", daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "META_GRAPH_BASE", f"http://127.0.0.1:{server.server_port}/demo-meta")
    monkeypatch.setitem(app.extensions, "demo_phone", phone)
    yield phone
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def demo_shop(app, live_server, tmp_path):
    store = DemoStore(str(tmp_path / "store.sqlite3"), api_secret=app.config["SHOPIFY_API_SECRET"],
                      webhook_async=False, throttle_off=True)  # fmt: skip
    store.seed_shop(SHOP, products=5, orders=0)
    store.subscribe(SHOP, "orders/create", live_server + "/api/webhooks/shopify")
    return store


def _wait_for_templates(workspace_id: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        if db.session.scalar(select(MessageTemplate.id).where(MessageTemplate.workspace_id == workspace_id)):
            return
        time.sleep(0.2)
    raise AssertionError("the stand-in's templates were never synced")


def test_order_confirmation_on_the_demo_phone_and_the_customers_answer_in_conversations(
    logged_in_page, user, stand_in, demo_shop, shopify_integration, live_worker
):
    page = logged_in_page
    workspace_id = user.workspace_id
    service.wire(WorkspaceScope(workspace_id), stand_in)  # what `flask demo` does on start
    _wait_for_templates(workspace_id)

    page.goto("/messaging/")
    card = page.locator("#automation-order_confirmation")
    card.get_by_label("On", exact=True).check()
    card.get_by_label("Template").select_option("order_confirmation|en_US")
    card.get_by_role("button", name="Save").click()
    expect(page.locator("#automation-order_confirmation")).to_contain_text("Saved.")

    order = demo_shop.place_order([(1, 0, 2)], shop=SHOP, email="ana@example.com", phone="+1 555-012-3456",
                                  customer_name="Ana Demo")  # fmt: skip

    page.get_by_role("link", name="Demo phone").click()
    bubble = page.locator('.bubble.from-shop[data-kind="template"]')
    expect(bubble).to_contain_text(f"Hi Ana, thanks for your order {order['name']} of ", timeout=20_000)
    expect(bubble).to_contain_text("Order confirmed")
    expect(bubble).to_have_attribute("data-status", "read", timeout=20_000)  # delivered, then seen here

    page.goto("/messaging/")
    row = page.locator("#outbox tbody tr").first
    expect(row).to_contain_text("order_confirmation")
    expect(row.locator(".badge")).to_have_text(re.compile(r"^(delivered|read)$"), timeout=20_000)

    page.goto("/demo-phone/")
    page.get_by_label("Message as the customer").fill("Can you gift wrap it?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".bubble.from-customer")).to_contain_text("Can you gift wrap it?")
    expect(page.get_by_label("Message as the customer")).to_have_value("")

    page.goto("/conversations/")
    chat = page.locator("tr[data-conversation-id]").filter(has_text="Can you gift wrap it?")
    deadline = time.monotonic() + 60  # the webhook is processed by the worker (slow on a busy machine)
    while not chat.count() and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        page.reload()
    expect(chat).to_contain_text("Ana Demo")
    chat.get_by_role("link").click()
    page.get_by_role("textbox", name="Message").fill("Of course, it ships wrapped.")
    page.get_by_role("button", name="Send on WhatsApp").click()
    page.goto("/demo-phone/")
    expect(page.locator('.bubble.from-shop[data-kind="text"]')).to_contain_text(
        "Of course, it ships wrapped."
    )
