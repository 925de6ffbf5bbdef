"""Abandoned checkouts read with the `abandonedCheckouts` query from the demo store (Shopify's schema and
paging), and the demo store's own checkouts/* and orders/create webhooks driving the reminder."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
import responses
from sqlalchemy import func, select

from app.demo_store import DemoStore
from app.demo_store.testing import mount_on_responses
from app.extensions import db
from app.messaging import checkouts as reminders
from app.messaging.automations import save_automation
from app.messaging.checkout_reads import read_abandoned_checkouts, read_all_abandoned_checkouts
from app.models import Checkout, MessageTemplate, OutboxMessage
from app.models.types import utcnow
from tests.messaging.conftest import StandInMeta
from tests.webhooks.conftest import SHOP

GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"


@pytest.fixture
def store(app, client, tmp_path):
    """The demo store for the integration's shop, its webhooks posted to the app like Shopify's."""

    def deliver(url, body, headers):
        assert client.post("/api/webhooks/shopify", data=body, headers=headers).status_code == 200

    ticks = itertools.count()  # a second later at every read of the clock: each change has its own updated_at
    demo = DemoStore(":memory:", api_key=app.config["SHOPIFY_API_KEY"], api_secret=app.config["SHOPIFY_API_SECRET"],
                     clock=lambda: time.time() - 7200 + next(ticks), default_products=40, default_orders=0, throttle_off=True, deliver=deliver,
                     bulk_dir=str(tmp_path / "bulk"))  # fmt: skip
    demo.seed_shop(SHOP)
    demo.add_custom_token(SHOP, "token")  # the test integration's access token
    for topic in ("checkouts/create", "checkouts/update", "orders/create"):
        demo.subscribe(SHOP, topic, "https://app.example/api/webhooks/shopify")
    yield demo
    demo.db.close()


@pytest.fixture
def platforms(store):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        meta = StandInMeta(mock)
        mount_on_responses(mock, store)
        yield mock, meta


@pytest.fixture
def reminder_on(whatsapp_integration):
    ws = whatsapp_integration.workspace_id
    db.session.add(MessageTemplate(workspace_id=ws, integration_id=whatsapp_integration.id, name="carrito",
                                   language="es_MX", category="marketing", status="APPROVED",
                                   components=[{"type": "BODY", "text": "Hola {{1}}, tu carrito: {{2}}"}]))  # fmt: skip
    db.session.commit()
    save_automation(ws, "abandoned_checkout", enabled=True, template="carrito|es_MX", delay="30")
    return ws


def test_the_query_path_pages_through_every_checkout(
    platforms, store, run_jobs, shopify_integration, reminder_on
):
    mock, meta = platforms
    # 300 checkouts (more than Shopify's 250 a page), three with an opted-in phone, one of them completed.
    for i in range(300):
        phone = f"+1312555{i:04d}" if i in (0, 170, 299) else None
        store.create_checkout([(i % 40, 0, 1)], shop=SHOP, email=f"buyer{i}@example.com", phone=phone,
                              accepts_sms=phone is not None, fire=False)  # fmt: skip
    store.complete_checkout(store.checkouts(SHOP)[170]["id"], shop=SHOP)  # its order arrives as a webhook
    run_jobs(["webhooks"])
    assert read_all_abandoned_checkouts() == 1  # queues the read for the connected store
    run_jobs(["sync"])
    asked = [c for c in mock.calls if c.request.url == GRAPHQL]
    assert len(asked) >= 2  # followed the cursor, not the first page alone
    assert db.session.scalar(select(func.count()).select_from(Checkout)) == 300
    assert reminders.remind_due(reminder_on, now=utcnow() + timedelta(minutes=1)) == 2
    run_jobs()
    assert sorted(m["to"] for m in meta.sent) == ["13125550000", "13125550299"]
    urls = {m["template"]["components"][0]["parameters"][1]["text"] for m in meta.sent}
    assert all(u.startswith(f"https://{SHOP}/") and "/recover?key=" in u for u in urls)
    # Read again (the 15-minute schedule): nothing new is sent.
    read_abandoned_checkouts(shopify_integration.id)
    assert reminders.remind_due(reminder_on, now=utcnow() + timedelta(minutes=1)) == 0
    run_jobs()
    assert len(meta.sent) == 2 and db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_demo_store_checkout_then_order_sends_nothing(
    platforms, store, run_jobs, shopify_integration, reminder_on
):
    _mock, meta = platforms
    made = store.create_checkout(
        [(1, 0, 2)], shop=SHOP, phone="+351912345678", name="Ana Lima", accepts_sms=True
    )
    store.update_checkout(made["id"], shop=SHOP, lines=[(1, 0, 3)])
    run_jobs()
    store.complete_checkout(made["id"], shop=SHOP)
    run_jobs()
    db.session.expire_all()
    stored = db.session.scalars(select(Checkout)).one()
    assert stored.order_id is not None and stored.completed_at is not None and stored.item_count == 3
    assert reminders.remind_due(reminder_on, now=utcnow() + timedelta(hours=1)) == 0
    run_jobs()
    assert meta.sent == []
