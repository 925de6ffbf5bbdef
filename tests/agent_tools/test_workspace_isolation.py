"""No tool reaches another workspace's rows: every tool, called with ids of workspace A from workspace B."""

import json

import pytest

import agent_tools
from agent_tools import ToolContext
from app import inventory
from app.extensions import db
from app.models import Alert, Conversation, Message, Order


@pytest.fixture
def shop_a(workspace, make_product, make_conversation):
    product = make_product(
        workspace, "Secret Shoe", vendor="Hidden", variants=[{"sku": "SEC-1", "price": "10", "qty": 4}]
    )
    conversation = make_conversation(workspace)
    ctx = ToolContext(workspace.id, conversation.id)
    order_id = agent_tools.call(
        "create_order", {"items": [{"variant_id": product.variants[0].id, "sku": None, "quantity": 1}],
                         "customer_name": None}, ctx)["order_id"]  # fmt: skip
    return {
        "product": product,
        "variant": product.variants[0],
        "conversation": conversation,
        "order_id": order_id,
    }


def _args(a):
    p, v, order = a["product"].id, a["variant"].id, a["order_id"]
    return {
        "product_search": {"query": "secret", "category": None, "price_min": None, "price_max": None,
                           "in_stock_only": None, "limit": 20},
        "get_product": {"product_id": p, "handle": None},
        "check_availability": {"variant_id": v, "sku": None, "quantity": 1},
        "create_order": {"items": [{"variant_id": v, "sku": None, "quantity": 1}], "customer_name": None},
        "add_to_order": {"order_id": order, "items": [{"variant_id": v, "sku": None, "quantity": 1}]},
        "get_order_status": {"order_id": order},
        "cancel_order": {"order_id": order, "reason": None},
        "shopify_get_product_live": {"product_id": p},
        "whatsapp_send_product": {"product_id": p, "variant_id": v, "body": None},
        "whatsapp_send_product_list": {"product_ids": [p], "header": "h", "body": "b", "section_title": None},
        "facebook_catalog_status": {"product_id": p},
        "handoff_to_human": {"reason": "test"},
    }  # fmt: skip


def test_isolation_cases_cover_every_tool(shop_a):
    assert set(_args(shop_a)) == set(agent_tools.TOOLS)


@pytest.mark.parametrize("name", sorted(agent_tools.TOOLS))
@pytest.mark.parametrize("with_foreign_conversation", [False, True])
def test_tool_cannot_see_or_touch_another_workspace(
    name, with_foreign_conversation, shop_a, other_workspace, rsps
):
    # B may even name A's conversation id: the context's scope still refuses it.
    conversation_id = shop_a["conversation"].id if with_foreign_conversation else None
    ctx = ToolContext(other_workspace.id, conversation_id)
    result = agent_tools.call(name, _args(shop_a)[name], ctx)
    text = json.dumps(result)
    assert "Secret Shoe" not in text and "SEC-1" not in text and "Hidden" not in text
    if name == "product_search":
        assert result["products"] == []
    elif name == "facebook_catalog_status":
        assert result["error"]["type"] == "not_found"
    elif name == "handoff_to_human":
        assert "conversation_status" not in result  # no conversation of B's: nothing was handed off
    else:
        assert result["error"]["type"] in ("not_found", "no_conversation"), result
    assert not rsps.calls  # nothing sent to any platform
    # A's data is untouched.
    db.session.expire_all()
    order = db.session.get(Order, shop_a["order_id"])
    assert order.status == "draft" and sum(i.quantity for i in order.items) == 1
    assert inventory.available(shop_a["product"].workspace_id, shop_a["variant"].id) == 3
    assert db.session.get(Conversation, shop_a["conversation"].id).status == "open"
    assert db.session.query(Message).count() == 0 and db.session.query(Alert).count() == 0
    assert db.session.query(Order).filter_by(workspace_id=other_workspace.id).count() == 0
