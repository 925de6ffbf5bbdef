"""Customers and consent, set from the WhatsApp inbound webhook and from Shopify's order bodies."""

from __future__ import annotations

import copy
import time

from sqlalchemy import select

from app.extensions import db
from app.messaging.customers import keyword
from app.models import ConsentEvent, Customer
from tests.messaging.conftest import USER_ID, WA_ID, fixture_json, inbound


def customers() -> list[Customer]:
    return list(db.session.scalars(select(Customer).order_by(Customer.id)))


def history(customer: Customer) -> list[tuple[str, str]]:
    stmt = select(ConsentEvent).where(ConsentEvent.customer_id == customer.id).order_by(ConsentEvent.id)
    return [(e.state, e.source) for e in db.session.scalars(stmt)]


def deliver(post_meta, run_jobs, *bodies):
    for body in bodies:
        assert post_meta("whatsapp", body).status_code == 200
    run_jobs()
    db.session.expire_all()


def test_first_message_creates_the_customer_opted_in_with_the_window_open(
    post_meta, run_jobs, whatsapp_integration
):
    deliver(post_meta, run_jobs, inbound("Hola, ¿tienen la camiseta en S?"))
    (customer,) = customers()
    assert (customer.workspace_id, customer.user_id, customer.wa_id) == (
        whatsapp_integration.workspace_id,
        USER_ID,
        WA_ID,
    )
    assert customer.name == "Sheena Nelson" and customer.consent == "opted_in"
    assert history(customer) == [("opted_in", "inbound_message")]
    assert customer.last_inbound_at is not None


def test_stop_opts_out_a_plain_message_does_not_opt_back_in_and_start_does(
    post_meta, run_jobs, whatsapp_integration
):
    now = int(time.time())
    deliver(post_meta, run_jobs, inbound("hi", at=now - 30), inbound("  STOP ", at=now - 20))
    assert customers()[0].consent == "opted_out"
    deliver(post_meta, run_jobs, inbound("where is my order?", at=now - 10))
    assert customers()[0].consent == "opted_out"
    deliver(post_meta, run_jobs, inbound("Start", at=now))
    customer = customers()[0]
    assert customer.consent == "opted_in"
    assert history(customer) == [("opted_in", "inbound_message"), ("opted_out", "stop_keyword"),
                                 ("opted_in", "start_keyword")]  # fmt: skip


def test_baja_and_the_opt_out_button_opt_out(post_meta, run_jobs, whatsapp_integration, make_user):
    deliver(post_meta, run_jobs, inbound("baja."))
    assert customers()[0].consent == "opted_out"
    deliver(post_meta, run_jobs, inbound("START"))
    button = {"payload": "Stop promotions", "text": "Stop promotions"}
    deliver(post_meta, run_jobs, inbound(None, kind="button", button=button))
    customer = customers()[0]
    assert customer.consent == "opted_out" and history(customer)[-1] == ("opted_out", "opt_out_button")


def test_an_older_stop_arriving_late_does_not_override_a_newer_start(
    post_meta, run_jobs, whatsapp_integration
):
    now = int(time.time())
    deliver(post_meta, run_jobs, inbound("START", at=now))
    deliver(post_meta, run_jobs, inbound("STOP", at=now - 60))
    customer = customers()[0]
    assert customer.consent == "opted_in"
    assert ("opted_out", "stop_keyword") in history(customer)  # kept in the history all the same


def test_a_redelivered_stop_is_one_event(post_meta, run_jobs, whatsapp_integration):
    stop = inbound("STOP", message_id="wamid.same-stop")
    again = copy.deepcopy(stop)
    again["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "Other envelope"
    deliver(post_meta, run_jobs, stop, again, stop)
    assert history(customers()[0]) == [("opted_out", "stop_keyword")]


def test_a_username_customer_gains_the_phone_when_it_arrives(post_meta, run_jobs, whatsapp_integration):
    deliver(post_meta, run_jobs, inbound("hola", wa_id=None))
    (customer,) = customers()
    assert (customer.user_id, customer.wa_id) == (USER_ID, None)
    deliver(post_meta, run_jobs, inbound("otra vez"))
    (customer,) = customers()
    assert (customer.user_id, customer.wa_id) == (USER_ID, WA_ID)


def test_shopify_sms_marketing_consent_opts_in_but_never_over_a_whatsapp_opt_out(
    post_shopify, post_meta, run_jobs, shopify_integration, whatsapp_integration
):
    order = fixture_json("shopify/orders_create.json")
    order["customer"]["sms_marketing_consent"] = {
        "state": "subscribed", "opt_in_level": "single_opt_in", "consent_updated_at": "2026-11-30T10:00:00-05:00",
        "consent_collected_from": "SHOPIFY",
    }  # fmt: skip
    assert post_shopify("orders/create", order).status_code == 200
    run_jobs()
    (customer,) = customers()
    assert (customer.wa_id, customer.consent, history(customer)) == (
        "16135551212",
        "opted_in",
        [("opted_in", "shopify")],
    )
    deliver(post_meta, run_jobs, inbound("STOP", wa_id="16135551212", user_id="CA.99"))
    again = copy.deepcopy(order)
    again["updated_at"] = "2026-12-01T10:00:00-05:00"
    again["customer"]["sms_marketing_consent"]["consent_updated_at"] = "2026-12-03T10:00:00-05:00"
    post_shopify("orders/updated", again)
    run_jobs()
    db.session.expire_all()
    (customer,) = customers()
    assert (customer.user_id, customer.consent) == ("CA.99", "opted_out")


def test_not_subscribed_in_shopify_changes_nothing(post_shopify, run_jobs, shopify_integration):
    order = fixture_json("shopify/orders_create.json")
    order["customer"]["sms_marketing_consent"] = {"state": "not_subscribed", "opt_in_level": None}
    post_shopify("orders/create", order)
    run_jobs()
    assert customers() == []


def test_keywords():
    assert [keyword(t) for t in ("STOP", " baja! ", "Stop  promotions", "stop please", "", None, "START")] == [
        "opt_out", "opt_out", "opt_out", None, None, None, "opt_in"]  # fmt: skip
