"""Catalog and order tools: details, availability, and selling through reservations."""

import pytest

import agent_tools
from agent_tools import ToolContext
from app import inventory
from app.extensions import db
from app.models import Order, Reservation


@pytest.fixture
def shoe(workspace, make_product):
    return make_product(workspace, "Trail Running Shoe", vendor="Salomon", description_html="<p>Light &amp; fast</p>",
                        tags="running, trail", variants=[
                            {"sku": "TRS-42", "price": "89.00", "qty": 3, "title": "42", "options": {"Size": "42"}},
                            {"sku": "TRS-43", "price": "89.00", "qty": 1, "title": "43", "options": {"Size": "43"}},
                        ])  # fmt: skip


def order_args(*lines, name=None):
    return {"items": [{"variant_id": v, "sku": s, "quantity": q} for v, s, q in lines], "customer_name": name}


def test_get_product_by_id_or_handle(ctx, shoe):
    by_id = agent_tools.call("get_product", {"product_id": shoe.id, "handle": None}, ctx)
    by_handle = agent_tools.call("get_product", {"product_id": None, "handle": "Trail-Running-Shoe"}, ctx)
    assert by_id == by_handle
    assert by_id["description"] == "Light & fast" and by_id["tags"] == ["running", "trail"]
    assert [v["sku"] for v in by_id["variants"]] == ["TRS-42", "TRS-43"] and by_id["available"] == 4


def test_check_availability_by_variant_and_sku(ctx, shoe, workspace):
    v42 = shoe.variants[0]
    result = agent_tools.call("check_availability", {"variant_id": v42.id, "sku": None, "quantity": 3}, ctx)
    assert result["can_sell"] is True and result["available"] == 3
    inventory.reserve(workspace.id, v42.id, 1)
    result = agent_tools.call("check_availability", {"variant_id": None, "sku": "TRS-42", "quantity": 3}, ctx)
    assert result["can_sell"] is False and result["available"] == 2 and result["reserved_by_others"] == 1


def test_create_order_reserves_stock_and_links_the_conversation(workspace, shoe, make_conversation):
    conversation = make_conversation(workspace)
    ctx = ToolContext(workspace.id, conversation.id)
    v42, v43 = shoe.variants
    result = agent_tools.call("create_order", order_args((v42.id, None, 2), (None, "TRS-43", 1)), ctx)
    assert result["status"] == "draft" and result["total"] == "267.00" and result["stock_held"] == 3
    order = db.session.get(Order, result["order_id"])
    assert (order.source_platform, order.conversation_id, order.customer_name) == (
        "agent",
        conversation.id,
        "Ana",
    )
    assert order.customer_phone == "+16505551234"
    holds = db.session.query(Reservation).filter_by(order_id=order.id, status="active").all()
    assert sorted((r.variant_id, r.quantity) for r in holds) == [(v42.id, 2), (v43.id, 1)]
    assert inventory.available(workspace.id, v42.id) == 1 and inventory.available(workspace.id, v43.id) == 0


def test_out_of_stock_leaves_no_order_and_no_hold(ctx, shoe, workspace):
    v42, v43 = shoe.variants
    result = agent_tools.call("create_order", order_args((v42.id, None, 1), (v43.id, None, 5)), ctx)
    assert result["error"]["type"] == "out_of_stock" and result["error"]["details"]["available"] == 1
    assert db.session.query(Order).count() == 0
    assert db.session.query(Reservation).filter_by(status="active").count() == 0
    assert inventory.available(workspace.id, v42.id) == 3


def test_add_to_order_then_status_then_cancel_returns_stock(workspace, shoe, make_conversation):
    ctx = ToolContext(workspace.id, make_conversation(workspace).id)
    v42, v43 = shoe.variants
    order_id = agent_tools.call("create_order", order_args((v42.id, None, 1)), ctx)["order_id"]
    added = agent_tools.call("add_to_order", {"order_id": order_id, "items": order_args((v42.id, None, 1),
                                                                                       (v43.id, None, 1))["items"]}, ctx)  # fmt: skip
    assert [(i["sku"], i["quantity"]) for i in added["items"]] == [("TRS-42", 2), ("TRS-43", 1)]
    assert added["stock_held"] == 3 and added["total"] == "267.00"
    too_many = agent_tools.call(
        "add_to_order", {"order_id": order_id, "items": order_args((v42.id, None, 5))["items"]}, ctx
    )
    assert too_many["error"]["type"] == "out_of_stock"
    assert agent_tools.call("get_order_status", {"order_id": None}, ctx)["stock_held"] == 3
    cancelled = agent_tools.call("cancel_order", {"order_id": order_id, "reason": "changed my mind"}, ctx)
    assert cancelled["status"] == "cancelled" and cancelled["stock_held"] == 0
    assert inventory.available(workspace.id, v42.id) == 3
    again = agent_tools.call(
        "add_to_order", {"order_id": order_id, "items": order_args((v42.id, None, 1))["items"]}, ctx
    )
    assert again["error"]["type"] == "order_closed"


def test_committed_orders_are_not_cancelled_by_the_agent(workspace, shoe, ctx):
    order_id = agent_tools.call("create_order", order_args((shoe.variants[0].id, None, 1)), ctx)["order_id"]
    inventory.commit(db.session.get(Order, order_id))
    result = agent_tools.call("cancel_order", {"order_id": order_id, "reason": None}, ctx)
    assert result["error"]["type"] == "needs_human"


def test_a_customer_never_sees_another_conversations_order(workspace, shoe, make_conversation):
    mine = ToolContext(workspace.id, make_conversation(workspace, wa_id="111").id)
    theirs = ToolContext(workspace.id, make_conversation(workspace, wa_id="222").id)
    order_id = agent_tools.call("create_order", order_args((shoe.variants[0].id, None, 1)), theirs)[
        "order_id"
    ]
    assert agent_tools.call("get_order_status", {"order_id": order_id}, mine)["error"]["type"] == "not_found"
    assert agent_tools.call("get_order_status", {"order_id": None}, mine)["error"]["type"] == "not_found"
    assert (
        agent_tools.call("cancel_order", {"order_id": order_id, "reason": None}, mine)["error"]["type"]
        == "not_found"
    )
