"""Signed Meta bodies of the wrong shape: never a 500, nothing lost, a readable error on the delivery."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Message, Webhook
from tests.webhooks.conftest import PAGE_ID, PHONE_NUMBER_ID, fixture_json, with_value


def rows() -> list[tuple[str, str | None, str | None]]:
    db.session.rollback()
    return [
        tuple(r)
        for r in db.session.execute(
            select(Webhook.status, Webhook.account_id, Webhook.error).order_by(Webhook.id)
        )
    ]


def whatsapp(**change_value) -> dict:
    body = fixture_json("meta/whatsapp_text.json")
    body["entry"][0]["changes"][0]["value"].update(change_value)
    return body


TEXT = fixture_json("meta/whatsapp_text.json")
FB = fixture_json("meta/facebook_message.json")
CHANGE = ("entry", 0, "changes", 0)
EVENT = ("entry", 0, "messaging", 0)
WRONG_PARTS = [
    ("whatsapp", with_value(TEXT, ("entry", 0), "not an entry"), "entry[0] is a string, not an object"),
    ("whatsapp", with_value(TEXT, CHANGE, "a change"), "entry[0].changes[0] is a string, not an object"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value"), [1, 2]), "entry[0].changes[0].value is a list, not an object"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "metadata"), "106540352242922"), "value.metadata is a string"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "messages"), ["hi"]), "value.messages[0] is a string"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "messages"), {"id": "x"}), "value.messages is an object, not a list"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "metadata", "phone_number_id"), {"n": 1}), "phone_number_id is an object, not an id"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "messages", 0, "id"), [1]), "messages[0].id is a list, not an id"),
    ("whatsapp", with_value(TEXT, ("entry", 0, "changes"), "changes"), "entry[0].changes is a string, not a list"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "field"), {"f": 1}), "entry[0].changes[0].field is an object, not text"),
    ("facebook", with_value(FB, EVENT, 7), "entry[0].messaging[0] is a number, not an object"),
    ("facebook", with_value(FB, (*EVENT, "message"), "hello"), "messaging[0].message is a string, not an object"),
    ("facebook", with_value(FB, (*EVENT, "message", "mid"), {"m": 1}), "message.mid is an object, not an id"),
    ("facebook", with_value(FB, ("entry", 0, "id"), [PAGE_ID]), "entry[0].id is a list, not an id"),
]  # fmt: skip


@pytest.mark.parametrize(("platform", "body", "error"), WRONG_PARTS)
def test_a_part_of_the_wrong_shape_is_kept_as_failed_with_where(post_meta, platform, body, error):
    response = post_meta(platform, body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert error in response.get_json()["error"] and "Malformed webhook body" in response.get_json()["error"]
    ((status, _account, stored_error),) = rows()
    assert status == "failed" and error in stored_error
    assert post_meta(platform, body).get_json() == {"status": "duplicate"}  # Meta's retry: stored once


@pytest.mark.parametrize("entry", [{"id": "1"}, "entries", 12, True])
def test_entry_that_is_not_a_list_is_a_malformed_body(post_meta, entry):
    response = post_meta("whatsapp", {"object": "whatsapp_business_account", "entry": entry})
    assert response.status_code == 400 and "entry is" in response.get_json()["error"]
    assert [r[0] for r in rows()] == ["failed"]


def test_well_formed_parts_of_the_same_post_are_kept_and_processed(post_meta, whatsapp_integration, run_jobs):
    body = copy.deepcopy(TEXT)
    body["entry"][0]["changes"].append("garbage")
    body["entry"].append(["more garbage"])
    response = post_meta("whatsapp", body)
    assert response.status_code == 200 and response.get_json() == {"status": "accepted", "failed": 2}
    run_jobs()
    statuses = [r[0] for r in rows()]
    assert sorted(statuses) == ["failed", "failed", "processed"]
    assert db.session.scalar(select(Message.body)) == "Hi, do you have the t-shirt in small?"


def test_numeric_ids_are_read_as_their_digits(post_meta, whatsapp_integration, run_jobs):
    body = with_value(TEXT, (*CHANGE, "value", "metadata", "phone_number_id"), int(PHONE_NUMBER_ID))
    body = with_value(body, (*CHANGE, "value", "messages", 0, "id"), 123456789012345678901234567890)
    body = with_value(body, (*CHANGE, "value", "messages", 0, "from"), 16505551234)
    assert post_meta("whatsapp", body).get_json() == {"status": "accepted"}
    run_jobs()
    assert rows() == [("processed", PHONE_NUMBER_ID, None)]
    assert db.session.scalar(select(Message.platform_message_id)) == "123456789012345678901234567890"


WRONG_INNER = [
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "messages", 0, "text", "body"), {"b": 1}),
     "entry[0].changes[0].value.messages[0].text.body is an object, not text"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "messages", 0, "from"), {"wa": 1}),
     "entry[0].changes[0].value.messages[0].from is an object, not an id"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "messages", 0, "type"), ["text"]),
     "entry[0].changes[0].value.messages[0].type is a list, not text"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "contacts", 0, "profile"), "Sheena"), "contacts[].profile is a string"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "statuses"), [{"id": "wamid.1", "errors": "boom"}]),
     "entry[0].changes[0].value.statuses[0].errors is a string, not a list"),
    ("whatsapp", with_value(TEXT, (*CHANGE, "value", "statuses"), [{"id": "wamid.1", "status": {"s": 1}}]),
     "statuses[0].status is an object, not text"),
    ("facebook", with_value(FB, (*EVENT, "sender"), "6600112233445566"), "entry[0].messaging[0].sender is a string"),
    ("facebook", with_value(FB, (*EVENT, "message", "text"), ["Is this still available?"]), "message.text is a list"),
    ("facebook", with_value(FB, (*EVENT, "message", "attachments"), "image"), "message.attachments is a string"),
]  # fmt: skip


@pytest.mark.parametrize(("platform", "body", "error"), WRONG_INNER)
def test_wrong_inner_types_fail_that_delivery_readably(post_meta, whatsapp_integration, facebook_integration,
                                                       run_jobs, platform, body, error):  # fmt: skip
    assert post_meta(platform, body).status_code == 200
    good = fixture_json("meta/whatsapp_interactive.json")
    assert post_meta("whatsapp", good).get_json() == {"status": "accepted"}
    run_jobs()
    (bad_row, good_row) = rows()
    assert bad_row[0] == "failed" and error in bad_row[2] and bad_row[2].startswith("WrongShape: ")
    assert good_row[0] == "processed"  # the worker went on with the next delivery


def test_wrong_cart_quantities_fail_readably(post_meta, whatsapp_integration, run_jobs):
    body = fixture_json("meta/whatsapp_order.json")
    order = body["entry"][0]["changes"][0]["value"]["messages"][0]["order"]
    order["product_items"][0]["quantity"] = "two"
    assert post_meta("whatsapp", body).status_code == 200
    run_jobs()
    ((status, _account, error),) = rows()
    assert (
        status == "failed"
        and "order.product_items[0].quantity is a string that is not a whole number" in error
    )
