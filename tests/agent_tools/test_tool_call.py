"""`agent_tools.call` never raises into the agent loop: every failure is an error object the model can read."""

import json

import pytest

import agent_tools
from agent_tools import ToolContext
from app.extensions import db
from app.models import Workspace

SEARCH_ARGS = {"query": "shoe", "category": None, "price_min": None, "price_max": None, "in_stock_only": None,
               "limit": None}  # fmt: skip


def test_bad_json_is_a_readable_error(ctx):
    result = agent_tools.call("product_search", '{"query": "shoe",', ctx)
    assert result["error"]["type"] == "invalid_json"
    assert "JSON" in result["error"]["message"]
    assert agent_tools.call("product_search", "[1, 2]", ctx)["error"]["type"] == "invalid_arguments"


def test_wrong_types_and_missing_fields_name_the_field(ctx):
    result = agent_tools.call("product_search", json.dumps({**SEARCH_ARGS, "limit": "lots"}), ctx)
    assert result["error"]["type"] == "invalid_arguments"
    assert "limit" in result["error"]["message"]
    result = agent_tools.call("product_search", json.dumps({**SEARCH_ARGS, "limit": 500}), ctx)
    assert "limit" in result["error"]["message"]
    result = agent_tools.call("product_search", "{}", ctx)
    assert "query" in result["error"]["message"] and "required" in result["error"]["message"].lower()
    result = agent_tools.call("check_availability", {"variant_id": None, "sku": None, "quantity": 1}, ctx)
    assert (
        result["error"]["type"] == "invalid_arguments" and "variant_id or sku" in result["error"]["message"]
    )
    result = agent_tools.call("create_order", {"items": [], "customer_name": None}, ctx)
    assert "items" in result["error"]["message"]


def test_unknown_tool(ctx):
    result = agent_tools.call("drop_tables", "{}", ctx)
    assert result["error"]["type"] == "unknown_tool" and "product_search" in result["error"]["message"]


def test_a_crashing_tool_becomes_an_internal_error_and_the_session_stays_usable(ctx, monkeypatch, workspace):
    def boom(args, context):
        db.session.add(Workspace(name="half written"))
        db.session.flush()
        raise RuntimeError("bug")

    tool = agent_tools.TOOLS["product_search"]
    monkeypatch.setitem(agent_tools.TOOLS, "product_search", tool.__class__(tool.name, tool.description,
                                                                            tool.input_model, boom))  # fmt: skip
    result = agent_tools.call("product_search", SEARCH_ARGS, ctx)
    assert result["error"]["type"] == "internal_error"
    assert db.session.query(Workspace).filter_by(name="half written").count() == 0
    assert db.session.get(Workspace, workspace.id) is not None


def test_results_are_plain_json(ctx, make_product, workspace):
    make_product(workspace, "Running Shoe")
    result = agent_tools.call("product_search", json.dumps(SEARCH_ARGS), ctx)
    assert json.loads(json.dumps(result)) == result and result["count"] == 1


def test_context_requires_a_workspace():
    with pytest.raises(ValueError):
        ToolContext(0)
