"""The abandoned-checkout reminder, end to end: Shopify checkouts/* webhooks (and orders naming the checkout)
in, at most one template message with the recovery link out to a stand-in Meta, N minutes after the
checkout's last activity, and nothing once the order has arrived."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rq_scheduler import Scheduler
from sqlalchemy import select

from app.extensions import db
from app.messaging import checkouts as reminders
from app.messaging.automations import save_automation
from app.messaging.customers import customer_for, set_consent
from app.models import Checkout, MessageTemplate, OutboxMessage
from app.models.types import utcnow
from app.queues import get_redis
from app.services.recovered import recovered_revenue
from tests.messaging.conftest import fixture_json

PHONE = "13125551212"  # the fixture checkout's SMS-marketing phone
CHECKOUT_GID = "gid://shopify/AbandonedCheckout/981820079255243537"
RECOVERY_URL = "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def checkout(minutes_ago: float, **changes) -> dict:
    body = fixture_json("shopify/checkouts_create.json")
    body.update(
        created_at=_iso(utcnow() - timedelta(minutes=90)),
        updated_at=_iso(utcnow() - timedelta(minutes=minutes_ago)),
    )
    body.update(changes)
    return body


def order_for_checkout(**changes) -> dict:
    body = fixture_json("shopify/orders_create.json")
    now = utcnow()
    body.update(checkout_token="123123123", checkout_id=981820079255243537, created_at=_iso(now),
                updated_at=_iso(now), financial_status="paid")  # fmt: skip
    body.update(changes)
    return body


@pytest.fixture
def reminder_on(whatsapp_integration):
    ws = whatsapp_integration.workspace_id
    for name, text, category in (
        ("carrito_abandonado", "Hola {{1}}, tu carrito te espera: {{2}} ({{3}}; {{4}})", "marketing"),
    ):
        db.session.add(MessageTemplate(workspace_id=ws, integration_id=whatsapp_integration.id, name=name,
                                       language="es_MX", category=category, status="APPROVED",
                                       components=[{"type": "BODY", "text": text}]))  # fmt: skip
    db.session.commit()
    save_automation(ws, "abandoned_checkout", enabled=True, template="carrito_abandonado|es_MX", delay="30")
    return ws


def deliver(post_shopify, pairs):
    for topic, body in pairs:
        assert post_shopify(topic, body, webhook_id=str(uuid.uuid4())).status_code == 200


def rows():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def stored_checkout() -> Checkout:
    db.session.expire_all()
    return db.session.scalars(select(Checkout).where(Checkout.shopify_checkout_id == CHECKOUT_GID)).one()


def later(minutes: float) -> datetime:
    return utcnow() + timedelta(minutes=minutes)


def test_one_reminder_with_the_recovery_link_at_the_scheduled_time(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=10))])
    run_jobs()
    assert rows() == [] and meta.sent == []  # 20 minutes to go
    stored = stored_checkout()
    scheduler = Scheduler(connection=get_redis())
    ((job, at),) = [
        (j, t) for j, t in scheduler.get_jobs(with_times=True) if j.id == f"checkout-due-{stored.id}"
    ]
    assert (
        abs((at.replace(tzinfo=UTC) - (stored.last_activity_at + timedelta(minutes=30))).total_seconds()) < 1
    )
    assert job.func_name == "app.messaging.checkouts.checkout_due" and job.args == (stored.id,)
    assert reminders.sweep_checkouts() == 0  # not due: the sweep leaves it
    assert (
        reminders.remind_due(reminder_on, now=later(21)) == 1
    )  # the due time, as the job or the sweep sees it
    run_jobs()
    (sent,) = meta.sent
    assert sent["to"] == PHONE and sent["template"]["name"] == "carrito_abandonado"
    assert [p["text"] for p in sent["template"]["components"][0]["parameters"]] == [
        "John", RECOVERY_URL, "39.98 USD", "2 × Example T-Shirt"]  # fmt: skip
    (row,) = rows()
    assert (row.event_key, row.status, row.category) == (
        f"checkout:{CHECKOUT_GID}:reminder",
        "sent",
        "marketing",
    )
    assert reminders.remind_due(reminder_on, now=later(60)) == 0 and reminders.sweep_checkouts() == 0
    run_jobs()
    assert len(meta.sent) == 1


def test_a_missed_job_is_caught_by_the_scheduler_or_the_sweep(meta, post_shopify, run_jobs, shopify_integration,
                                                               reminder_on):  # fmt: skip
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=31))])  # already due when it arrives
    run_jobs(["webhooks"])
    scheduler = Scheduler(connection=get_redis())
    scheduler.enqueue_jobs()  # the scheduler's tick: a due job moves to its queue
    run_jobs()
    assert len(meta.sent) == 1
    # The same again with the scheduled job lost: the minute sweep sends it.
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=45, id=5, token="t-5"))])
    run_jobs(["webhooks"])
    for job in scheduler.get_jobs():
        scheduler.cancel(job)
    assert reminders.sweep_checkouts() == 1
    run_jobs()
    assert len(meta.sent) == 2


def test_twenty_redeliveries_in_random_order_send_one_reminder(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    pairs = [("checkouts/create", checkout(minutes_ago=60))] * 4
    pairs += [("checkouts/update", checkout(minutes_ago=59 - n, total_price="19.99")) for n in range(16)]
    random.Random(22).shuffle(pairs)
    for start in range(0, 20, 5):
        deliver(post_shopify, pairs[start : start + 5])
        run_jobs()
        reminders.sweep_checkouts()
        run_jobs()
    assert stored_checkout().last_activity_at > utcnow() - timedelta(minutes=45)  # the newest update won
    assert reminders.remind_due(reminder_on, now=later(30)) == 0
    run_jobs()
    (sent,) = meta.sent
    assert sent["template"]["components"][0]["parameters"][2]["text"] == "19.99 USD"
    assert len(rows()) == 1


def test_a_newer_update_postpones_the_reminder(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=10))])
    run_jobs()
    deliver(post_shopify, [("checkouts/update", checkout(minutes_ago=1))])
    run_jobs()
    assert reminders.remind_due(reminder_on, now=later(21)) == 0  # due 30 min after the first activity: moved
    assert reminders.remind_due(reminder_on, now=later(30)) == 1
    # Queued but unsent (no worker ran yet), and the customer is back in the checkout: its due time moves.
    deliver(post_shopify, [("checkouts/update", checkout(minutes_ago=0))])
    run_jobs(["webhooks"])
    (row,) = rows()
    assert row.status == "queued" and row.due_at > utcnow() + timedelta(minutes=29)
    run_jobs()
    assert meta.sent == []


def test_an_order_before_the_delay_means_no_reminder(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=10))])
    run_jobs()
    deliver(post_shopify, [("orders/create", order_for_checkout())])
    run_jobs()
    stored = stored_checkout()
    assert stored.order_id is not None and stored.reminder_status == "ordered"
    assert reminders.remind_due(reminder_on, now=later(60)) == 0
    run_jobs()
    assert rows() == [] and meta.sent == []


def test_an_order_stops_a_queued_reminder_at_once(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=40))])
    run_jobs(["webhooks"])
    assert reminders.sweep_checkouts() == 1  # queued; its send job waits on the default queue
    deliver(
        post_shopify, [("orders/create", order_for_checkout(checkout_token=None))]
    )  # by checkout id alone
    run_jobs(["webhooks"])
    run_jobs()
    (row,) = rows()
    assert row.status == "cancelled" and meta.sent == []


def test_an_order_after_the_reminder_counts_as_recovered(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    start = utcnow()
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=40))])
    run_jobs()
    reminders.sweep_checkouts()
    run_jobs()
    assert len(meta.sent) == 1
    assert recovered_revenue(reminder_on, start, later(1)).count == 0
    # Another checkout whose order came without a reminder, and an unrelated order: neither counts.
    deliver(post_shopify, [
        ("checkouts/create", checkout(minutes_ago=5, id=77, token="t-77")),
        ("orders/create", order_for_checkout(id=2, admin_graphql_api_id="gid://shopify/Order/2", checkout_token="t-77",
                                             checkout_id=77, total_price="5.00")),
        ("orders/create", order_for_checkout(id=3, admin_graphql_api_id="gid://shopify/Order/3", checkout_token=None,
                                             checkout_id=None, total_price="7.00")),
    ])  # fmt: skip
    deliver(
        post_shopify,
        [("orders/create", order_for_checkout(created_at=_iso(utcnow() + timedelta(seconds=1))))],
    )
    run_jobs()
    recovered = recovered_revenue(reminder_on, start, later(1))
    assert (recovered.count, recovered.totals) == (1, [("USD", Decimal("39.98"))])
    assert recovered_revenue(reminder_on, later(1), later(2)).count == 0  # outside the period
    assert len(meta.sent) == 1


def test_an_opted_out_customer_receives_nothing(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    customer = customer_for(reminder_on, wa_id=PHONE)
    set_consent(customer, "opted_out", "stop_keyword", utcnow())
    db.session.commit()
    deliver(post_shopify, [("checkouts/create", checkout(minutes_ago=40))])
    run_jobs()
    assert reminders.sweep_checkouts() == 0
    run_jobs()
    assert rows() == [] and meta.sent == []
    assert stored_checkout().reminder_status == "refused"


def test_a_marketing_reminder_needs_the_customers_opt_in(
    meta, post_shopify, run_jobs, shopify_integration, reminder_on
):
    no_consent = checkout(minutes_ago=40, buyer_accepts_sms_marketing=False, sms_marketing_phone=None,
                          phone="+13125551212")  # fmt: skip
    deliver(post_shopify, [("checkouts/create", no_consent)])
    run_jobs()
    assert reminders.sweep_checkouts() == 0
    run_jobs()
    assert rows() == [] and meta.sent == []
