"""Platform tools: WhatsApp catalog messages, live Shopify reads, Meta catalog status, handoff."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

import agent_tools
from agent_tools import ToolContext
from app.extensions import db
from app.models import Alert, Integration, Message

PHONE_ID = "106540352242922"  # as in conftest.py
CATALOG_ID = "1234567890123456"
MESSAGES_URL = f"https://graph.facebook.com/v25.0/{PHONE_ID}/messages"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEND_OK = json.loads((FIXTURES / "meta" / "whatsapp_send_success.json").read_text())


@pytest.fixture
def shoe(workspace, make_product):
    return make_product(workspace, "Trail Running Shoe", variants=[
        {"price": "89.00", "qty": 0, "title": "42", "shopify_id": "gid://shopify/ProductVariant/44001"},
        {"price": "89.00", "qty": 2, "title": "43", "shopify_id": "gid://shopify/ProductVariant/44002"},
    ])  # fmt: skip


def test_send_product_card_to_the_conversation_customer(workspace, shoe, make_conversation, rsps):
    conversation = make_conversation(workspace)
    rsps.post(MESSAGES_URL, json=SEND_OK)
    result = agent_tools.call("whatsapp_send_product", {"product_id": shoe.id, "variant_id": None,
                                                        "body": "Our best trail shoe"}, ToolContext(workspace.id, conversation.id))  # fmt: skip
    assert result["sent"] is True and result["message_id"].startswith("wamid.")
    body = json.loads(rsps.calls[0].request.body)
    assert body["to"] == "16505551234" and body["type"] == "interactive"
    assert body["interactive"]["action"] == {"catalog_id": CATALOG_ID, "product_retailer_id": "variant-44002"}
    assert rsps.calls[0].request.headers["Authorization"] == "Bearer EAAG-test-token"
    stored = db.session.query(Message).filter_by(conversation_id=conversation.id, direction="out").one()
    assert (stored.type, stored.status, stored.body) == ("interactive", "sent", "Our best trail shoe")
    assert stored.payload["product_retailer_id"] == "variant-44002"


def test_product_list_to_a_username_customer_uses_the_user_id(
    workspace, shoe, make_product, make_conversation, rsps
):
    boot = make_product(workspace, "Boot", variants=[{"price": "20", "qty": 1}])
    conversation = make_conversation(workspace, wa_id=None, user_id="US.13491208655302741918")
    rsps.post(MESSAGES_URL, json=SEND_OK)
    args = {
        "product_ids": [shoe.id, boot.id],
        "header": "Trail picks",
        "body": "Two for you",
        "section_title": None,
    }
    result = agent_tools.call("whatsapp_send_product_list", args, ToolContext(workspace.id, conversation.id))
    assert result["sent"] is True and result["products_sent"] == 2
    body = json.loads(rsps.calls[0].request.body)
    assert body["recipient"] == "US.13491208655302741918" and "to" not in body
    section = body["interactive"]["action"]["sections"][0]
    assert section["title"] == "Products" and len(section["product_items"]) == 2


def test_no_send_outside_the_24_hour_window_or_without_catalog(workspace, shoe, make_conversation, rsps, db):
    late = make_conversation(workspace, inbound_ago=timedelta(hours=25))
    args = {"product_id": shoe.id, "variant_id": None, "body": None}
    assert agent_tools.call("whatsapp_send_product", args, ToolContext(workspace.id, late.id))["error"][
        "type"
    ] == ("window_closed")
    integration = db.session.query(Integration).filter_by(platform="whatsapp").one()
    integration.config = {"phone_number_id": PHONE_ID}
    db.session.commit()
    fresh = make_conversation(workspace, wa_id="999")
    assert agent_tools.call("whatsapp_send_product", args, ToolContext(workspace.id, fresh.id))["error"][
        "type"
    ] == ("no_catalog")
    facebook = Integration(
        workspace_id=workspace.id, platform="facebook", account_id="page-1", config={"catalog_id": "777"}
    )
    db.session.add(facebook)
    db.session.commit()
    rsps.post(MESSAGES_URL, json=SEND_OK)
    assert (
        agent_tools.call("whatsapp_send_product", args, ToolContext(workspace.id, fresh.id))["sent"] is True
    )
    assert json.loads(rsps.calls[0].request.body)["interactive"]["action"]["catalog_id"] == "777"
    assert agent_tools.call("whatsapp_send_product", args, ToolContext(workspace.id))["error"]["type"] == (
        "no_conversation"
    )


def test_dry_run_describes_instead_of_sending(workspace, shoe, rsps):
    ctx = ToolContext(workspace.id, None, dry_run=True)
    result = agent_tools.call(
        "whatsapp_send_product", {"product_id": shoe.id, "variant_id": None, "body": None}, ctx
    )
    assert result["sent"] is False and result["would_send"]["product_retailer_id"] == "variant-44002"
    assert ctx.sent and not rsps.calls


def test_facebook_catalog_status(workspace, shoe, ctx, db):
    summary = agent_tools.call("facebook_catalog_status", {"product_id": None}, ctx)
    assert summary["connected"] is False and summary["active_products"] == 1
    shoe.platform_sync = {"facebook": {"status": "pushed", "pushed_at": "2026-11-25T10:00:00+00:00"}}
    db.session.add(Integration(workspace_id=workspace.id, platform="facebook", account_id="page-1", status="connected",
                               config={"catalog_id": "777"}))  # fmt: skip
    db.session.commit()
    detail = agent_tools.call("facebook_catalog_status", {"product_id": shoe.id}, ctx)
    assert detail["connected"] is True and detail["catalog_id"] == "777" and detail["push_status"] == "pushed"
    assert [i["retailer_id"] for i in detail["items"]] == ["variant-44001", "variant-44002"]


def test_handoff_marks_the_conversation_and_alerts_the_merchant(workspace, make_conversation, db):
    conversation = make_conversation(workspace)
    result = agent_tools.call(
        "handoff_to_human", {"reason": "Wants a refund"}, ToolContext(workspace.id, conversation.id)
    )
    assert result == {"handed_off": True, "conversation_status": "waiting_human"}
    db.session.refresh(conversation)
    assert conversation.status == "waiting_human"
    assert "Wants a refund" in db.session.query(Alert).filter_by(workspace_id=workspace.id).one().message


def test_live_shopify_read(workspace, make_product, ctx, rsps, db):
    shop = Integration(workspace_id=workspace.id, platform="shopify", account_id="casa-nova.myshopify.com",
                       status="connected", config={})  # fmt: skip
    shop.set_secrets(access_token="shpat_test")
    db.session.add(shop)
    product = make_product(workspace, "Linen Shirt")
    product.shopify_product_id = "gid://shopify/Product/8901"
    db.session.commit()
    page = json.loads((FIXTURES / "shopify" / "products_page_1.json").read_text())
    node = page["data"]["products"]["nodes"][0]
    rsps.post("https://casa-nova.myshopify.com/admin/api/2026-10/graphql.json",
              json={"data": {"product": node}, "extensions": page["extensions"]})  # fmt: skip
    result = agent_tools.call("shopify_get_product_live", {"product_id": product.id}, ctx)
    assert result["exists_in_shopify"] is True and result["title"] == "Linen Shirt"
    assert result["variants"][0] == {"sku": "LIN-S-WHT", "title": "S / White", "price": "49.00",
                                     "inventory_quantity": 7, "retailer_id": "variant-44001"}  # fmt: skip
    sent = json.loads(rsps.calls[0].request.body)
    assert sent["variables"]["id"] == "gid://shopify/Product/8901"
    assert rsps.calls[0].request.headers["X-Shopify-Access-Token"] == "shpat_test"
