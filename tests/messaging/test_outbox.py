"""The durable outbox against a stand-in Meta: rules before queueing and sending, the send itself, status
webhooks, back-off on Meta's rate limits, and outages of Redis and Meta that delay but never drop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.messaging import outbox, sender
from app.messaging.customers import customer_for, set_consent
from app.messaging.outbox import queue_message, template_message, text_message
from app.models import Customer, OutboxMessage
from app.models.types import utcnow
from app.queues import QueueUnavailable
from tests.messaging.conftest import USER_ID, WA_ID, status_body

CONFIRM = template_message(
    "order_confirmation", "es_MX",
    [{"type": "body", "parameters": [{"type": "text", "text": "Sheena"}, {"type": "text", "text": "#1001"}]}],
)  # fmt: skip


def make_customer(workspace_id, consent="opted_in", *, inbound_hours_ago=None, wa_id=WA_ID, user_id=USER_ID):
    customer = customer_for(workspace_id, user_id=user_id, wa_id=wa_id, name="Sheena")
    if consent != "unknown":
        set_consent(customer, consent, "inbound_message", utcnow() - timedelta(days=2))
    if inbound_hours_ago is not None:
        customer.last_inbound_at = utcnow() - timedelta(hours=inbound_hours_ago)
    db.session.commit()
    return customer.id  # an id, not the row: the burst worker ends its session after each job


def queue(customer_id, event="order:1:confirmation", message=CONFIRM, category="utility"):
    result = queue_message(db.session.get(Customer, customer_id), event, message, category=category)
    db.session.commit()  # wakes a sender for a new row
    return result


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def make_due(*, lease_ago: float | None = None):
    """Time passes: every back-off is over, every wake-up is stale (and every lease ran out `lease_ago` seconds
    ago)."""
    past = utcnow() - timedelta(seconds=1)
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.status == "queued")
        .values(due_at=past, enqueued_at=utcnow() - timedelta(hours=1))
    )  # fmt: skip
    if lease_ago is not None:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.status == "sending")
            .values(lease_until=utcnow() - timedelta(seconds=lease_ago))
        )  # fmt: skip
    db.session.commit()


def test_a_template_is_a_row_first_then_sent_once_with_its_callback_data(
    meta, whatsapp_integration, run_jobs
):
    customer = make_customer(whatsapp_integration.workspace_id)
    first = queue(customer)
    (row,) = rows()
    assert (row.status, row.template_name, row.language, row.attempts) == (
        "queued",
        "order_confirmation",
        "es_MX",
        0,
    )
    run_jobs()
    (sent,) = meta.sent
    assert sent == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": WA_ID, "type": "template",
        "template": CONFIRM["template"], "biz_opaque_callback_data": f"outbox:{first.id}",
    }  # fmt: skip
    (row,) = rows()
    assert (row.status, row.wamid, row.attempts) == ("sent", "wamid.out.1", 1) and row.sent_at is not None


def test_the_same_event_and_template_is_queued_and_sent_once(meta, whatsapp_integration, run_jobs):
    customer = make_customer(whatsapp_integration.workspace_id)
    results = [queue(customer) for _ in range(5)]
    assert [r.created for r in results] == [True, False, False, False, False]
    assert len({r.id for r in results}) == 1
    for _ in range(3):  # extra wake-ups of the same row are harmless
        outbox.enqueue_send(results[0].id)
    run_jobs()
    assert len(meta.sent) == 1 and len(rows()) == 1
    queue(customer, event="order:2:confirmation")
    run_jobs()
    assert len(meta.sent) == 2


def test_a_username_customer_is_sent_to_by_user_id(meta, whatsapp_integration, run_jobs):
    customer = make_customer(whatsapp_integration.workspace_id, wa_id=None)
    queue(customer)
    run_jobs()
    assert meta.sent[0]["recipient"] == USER_ID and "to" not in meta.sent[0]


def test_an_opted_out_customer_gets_nothing_even_if_queued_before(
    meta, whatsapp_integration, run_jobs, monkeypatch
):
    customer = make_customer(whatsapp_integration.workspace_id)
    monkeypatch.setattr(outbox, "enqueue", _down)  # Redis is down: the row waits
    queue(customer)
    set_consent(db.session.get(Customer, customer), "opted_out", "stop_keyword", utcnow())
    db.session.commit()
    monkeypatch.undo()
    refused = queue(customer, event="order:9:confirmation")
    assert refused.refused and "opted out" in refused.refused
    make_due()
    sender.sweep_outbox()
    run_jobs()
    assert meta.sent == []
    (row,) = rows()
    assert row.status == "cancelled" and "opted out" in row.error


def test_marketing_needs_opt_in_utility_does_not(meta, whatsapp_integration, run_jobs):
    customer = make_customer(whatsapp_integration.workspace_id, consent="unknown")
    promo = template_message("summer_sale", "en_US")
    assert "opt-in" in queue(customer, event="campaign:7", message=promo, category="marketing").refused
    assert queue(customer).created
    run_jobs()
    assert [m["template"]["name"] for m in meta.sent] == ["order_confirmation"]


def test_free_form_text_only_inside_the_24_hour_window(meta, whatsapp_integration, run_jobs):
    customer = make_customer(whatsapp_integration.workspace_id, inbound_hours_ago=25)
    refused = queue(customer, event="reply:1", message=text_message("¿Algo más?"), category="service")
    assert "24-hour" in refused.refused
    assert queue(customer).created  # a template is fine outside the window
    db.session.get(Customer, customer).last_inbound_at = utcnow() - timedelta(hours=23, minutes=59)
    db.session.commit()
    assert queue(customer, event="reply:1", message=text_message("¿Algo más?"), category="service").created
    run_jobs()
    assert sorted(m["type"] for m in meta.sent) == ["template", "text"]


def test_free_form_text_is_billed_as_service_whatever_the_caller_says(whatsapp_integration):
    customer = make_customer(whatsapp_integration.workspace_id, inbound_hours_ago=1)
    result = queue(customer, event="reply:2", message=text_message("Gracias"), category="marketing")
    assert result.created and db.session.get(OutboxMessage, result.id).category == "service"


def test_the_window_is_checked_again_at_send_time(meta, whatsapp_integration, run_jobs, monkeypatch):
    customer = make_customer(whatsapp_integration.workspace_id, inbound_hours_ago=23)
    monkeypatch.setattr(outbox, "enqueue", _down)
    queue(customer, event="reply:1", message=text_message("hola"), category="service")
    monkeypatch.undo()
    db.session.execute(update(Customer).values(last_inbound_at=utcnow() - timedelta(hours=24, seconds=1)))
    db.session.commit()
    make_due()
    sender.sweep_outbox()
    run_jobs()
    assert meta.sent == [] and rows()[0].status == "cancelled"


def test_status_webhooks_move_the_row_forward_only(meta, post_meta, whatsapp_integration, run_jobs):
    customer = make_customer(whatsapp_integration.workspace_id)
    queue(customer)
    run_jobs()
    wamid = rows()[0].wamid
    for state, expected in (
        ("delivered", "delivered"),
        ("sent", "delivered"),
        ("read", "read"),
        ("delivered", "read"),
    ):
        post_meta("whatsapp", status_body(wamid, state))
        run_jobs()
        assert rows()[0].status == expected


def test_a_failed_status_webhook_fails_the_row_with_meta_s_words(
    meta, post_meta, whatsapp_integration, run_jobs
):
    customer = make_customer(whatsapp_integration.workspace_id)
    queue(customer)
    run_jobs()
    post_meta("whatsapp", status_body(rows()[0].wamid, "failed", code=131026, title="Message undeliverable"))
    run_jobs()
    (row,) = rows()
    assert (row.status, row.error_code, row.error) == ("failed", 131026, "Message undeliverable")


@pytest.mark.parametrize("code", [130429, 131056])
def test_a_rate_limit_storm_delays_and_loses_nothing(meta, whatsapp_integration, run_jobs, code):
    customer = make_customer(whatsapp_integration.workspace_id)
    for n in range(10):
        queue(customer, event=f"order:{n}:confirmation")
    meta.fail_next(code, message="Rate limit hit", times=25)
    before = utcnow()  # each row was refused at or after this, so its wait counts from here at the least
    run_jobs()
    assert meta.sent == []
    waits = [(r.due_at - before).total_seconds() for r in rows()]
    assert all(r.status == "queued" and r.error_code == code for r in rows())
    assert min(waits) >= (5.0 if code == 131056 else 1.5)  # backed off, not retried at once
    rounds = 0
    while len(meta.sent) < 10:
        rounds += 1
        assert rounds < 10, "the storm never ended"
        make_due()
        sender.sweep_outbox()
        run_jobs()
    assert len(meta.sent) == 10
    assert sorted(m["biz_opaque_callback_data"] for m in meta.sent) == sorted(
        f"outbox:{r.id}" for r in rows()
    )
    assert all(r.status == "sent" for r in rows())
    assert max(r.attempts for r in rows()) >= 3


def test_outside_the_window_131047_is_a_clear_failure_not_a_retry(meta, whatsapp_integration, run_jobs):
    customer = make_customer(whatsapp_integration.workspace_id)
    queue(customer)
    meta.fail_next(131047, message="Re-engagement message")
    run_jobs()
    make_due()
    sender.sweep_outbox()
    run_jobs()
    (row,) = rows()
    assert (row.status, row.error_code, row.attempts) == ("failed", 131047, 1)
    assert "24 hours" in row.error and meta.sent == []


def test_a_redis_outage_delays_the_message_and_the_sweep_sends_it(
    meta, whatsapp_integration, run_jobs, monkeypatch
):
    customer = make_customer(whatsapp_integration.workspace_id)
    monkeypatch.setattr(outbox, "enqueue", _down)
    queue(customer)
    make_due()
    assert sender.sweep_outbox() == 0  # still down
    monkeypatch.undo()
    run_jobs()
    assert meta.sent == [] and rows()[0].status == "queued"
    assert sender.sweep_outbox() == 1
    assert sender.sweep_outbox() == 0  # enqueued just now: not again until it is stale
    run_jobs()
    assert len(meta.sent) == 1 and rows()[0].status == "sent"


def test_a_meta_outage_waits_for_the_grace_then_sends_once(meta, whatsapp_integration, run_jobs, app):
    customer = make_customer(whatsapp_integration.workspace_id)
    queue(customer)
    meta.fail_next(1, status=503, message="Service temporarily unavailable")
    run_jobs()
    (row,) = rows()
    assert (row.status, row.attempts) == ("sending", 1)  # the POST's fate is unknown: no resend yet
    sender.sweep_outbox()
    run_jobs()
    assert meta.sent == [] and rows()[0].status == "sending"
    make_due(lease_ago=app.config["MESSAGING_RECONCILE_GRACE"] + 1)
    sender.sweep_outbox()
    run_jobs()
    (row,) = rows()
    assert (row.status, row.attempts, len(meta.sent)) == ("sent", 2, 1)


def _down(*args, **kwargs):
    raise QueueUnavailable("Connection refused")
