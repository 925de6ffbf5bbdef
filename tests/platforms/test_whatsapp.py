import pytest

from app.platforms.errors import (
    MetaAuthError,
    MetaError,
    MetaRateLimited,
    WhatsAppInvalidRecipient,
    WhatsAppWindowClosed,
)
from app.platforms.whatsapp import Recipient, WhatsAppClient

from .conftest import GRAPH_BASE, GRAPH_VERSION, NO_JITTER, load, sent_json

PHONE_ID = "106540352242922"
MESSAGES_URL = f"{GRAPH_BASE}/{PHONE_ID}/messages"
BSUID = "US.13491208655302741918"


@pytest.fixture
def wa(clock):
    return WhatsAppClient(
        "EAAG-token", PHONE_ID, version=GRAPH_VERSION, sleep=clock.sleep, clock=clock, policy=NO_JITTER
    )


def test_send_text_to_a_phone_number(wa, rsps):
    rsps.post(MESSAGES_URL, json=load("meta", "whatsapp_send_success.json"))
    sent = wa.send_text(Recipient.phone("+1 650-555-1234"), "Hello!")
    body = sent_json(rsps.calls[0])
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "16505551234",
        "type": "text",
        "text": {"preview_url": False, "body": "Hello!"},
    }
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer EAAG-token"
    assert sent.message_id.startswith("wamid.") and sent.wa_id == "16505551234"


def test_send_to_a_business_scoped_user_id_without_phone(wa, rsps):
    rsps.post(MESSAGES_URL, json=load("meta", "whatsapp_send_bsuid_success.json"))
    sent = wa.send_text(Recipient(user_id=BSUID), "Hi there")
    body = sent_json(rsps.calls[0])
    assert body["recipient"] == BSUID and "to" not in body
    assert sent.user_id == BSUID and sent.wa_id is None


def test_recipient_from_webhook_contact_prefers_phone():
    assert Recipient.from_contact({"wa_id": "16505551234", "user_id": BSUID}).address() == {
        "to": "16505551234"
    }
    assert Recipient.from_contact({"user_id": BSUID}).address() == {"recipient": BSUID}
    with pytest.raises(ValueError):
        Recipient()


def test_send_single_product(wa, rsps):
    rsps.post(MESSAGES_URL, json=load("meta", "whatsapp_send_success.json"))
    wa.send_product(
        Recipient(wa_id="16505551234"), "1234567890123456", "variant-44001", body="Our best seller"
    )
    interactive = sent_json(rsps.calls[0])["interactive"]
    assert interactive["type"] == "product"
    assert interactive["action"] == {"catalog_id": "1234567890123456", "product_retailer_id": "variant-44001"}


def test_send_product_list(wa, rsps):
    rsps.post(MESSAGES_URL, json=load("meta", "whatsapp_send_success.json"))
    wa.send_product_list(
        Recipient(wa_id="16505551234"),
        "1234567890123456",
        header="Summer picks",
        body="Tap to browse",
        sections=[{"title": "Shirts", "product_retailer_ids": ["variant-44001", "variant-44003"]}],
    )
    interactive = sent_json(rsps.calls[0])["interactive"]
    assert interactive["type"] == "product_list"
    assert interactive["header"] == {"type": "text", "text": "Summer picks"}
    assert interactive["action"]["sections"] == [
        {
            "title": "Shirts",
            "product_items": [
                {"product_retailer_id": "variant-44001"},
                {"product_retailer_id": "variant-44003"},
            ],
        }
    ]


@pytest.mark.parametrize(
    "sections",
    [
        [{"title": f"S{i}", "product_retailer_ids": ["a"]} for i in range(11)],  # 11 sections
        [{"title": "All", "product_retailer_ids": [f"v{i}" for i in range(31)]}],  # 31 items
        [],
        [{"title": "Empty", "product_retailer_ids": []}],
    ],
)
def test_product_list_limits_are_enforced_before_sending(wa, rsps, sections):
    with pytest.raises(ValueError):
        wa.send_product_list(Recipient(wa_id="1"), "cat", header="h", body="b", sections=sections)
    assert len(rsps.calls) == 0


def test_mark_as_read(wa, rsps):
    rsps.post(MESSAGES_URL, json=load("meta", "whatsapp_mark_read.json"))
    assert wa.mark_as_read("wamid.ABC") is True
    assert sent_json(rsps.calls[0]) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.ABC",
    }


def test_get_phone_number(wa, rsps):
    rsps.get(f"{GRAPH_BASE}/{PHONE_ID}", json=load("meta", "whatsapp_phone_number.json"))
    assert wa.get_phone_number()["verified_name"] == "Casa Nova"


@pytest.mark.parametrize(
    ("fixture", "status", "error_type"),
    [
        ("error_131047_window.json", 400, WhatsAppWindowClosed),
        ("error_190_token.json", 401, MetaAuthError),
        ("error_130429_rate.json", 400, MetaRateLimited),
        ("error_131026_undeliverable.json", 400, WhatsAppInvalidRecipient),
        ("error_100_param.json", 400, MetaError),
    ],
)
def test_meta_errors_are_typed_and_not_retried(wa, rsps, clock, fixture, status, error_type):
    rsps.post(MESSAGES_URL, status=status, json=load("meta", fixture))
    with pytest.raises(error_type) as info:
        wa.send_text(Recipient(wa_id="16505551234"), "hi")
    assert type(info.value) is error_type
    assert info.value.code == load("meta", fixture)["error"]["code"]
    assert info.value.merchant_message
    assert len(rsps.calls) == 1 and clock.sleeps == []


def test_version_and_base_are_injectable(clock, rsps):
    client = WhatsAppClient(
        "t", PHONE_ID, graph_base="http://127.0.0.1:9200", version="v99.0", sleep=clock.sleep
    )
    rsps.post(
        f"http://127.0.0.1:9200/v99.0/{PHONE_ID}/messages", json=load("meta", "whatsapp_send_success.json")
    )
    assert client.send_text(Recipient(wa_id="1"), "x").message_id
