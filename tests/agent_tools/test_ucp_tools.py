"""UCP's names over the agent's functions: search_catalog, lookup_catalog, get_product and get_order run
in-process against the database, and every answer is valid against UCP's own schemas (release 2026-04-08)."""

from __future__ import annotations

import pytest

from agent_tools import TOOLS, UCP_TOOLS, Tool, ToolContext, call, call_ucp
from agent_tools.ucp import READ_ONLY
from app.models import Reservation
from app.models.types import utcnow
from tests.agent_tools.ucp_schemas import problems

META = {"ucp-agent": {"profile": "https://platform.example/profiles/shopping-agent.json"}}


@pytest.fixture
def shop(db, workspace, make_product):
    sizes = [("Red", "S", 3), ("Red", "M", 0), ("Blue", "S", 2), ("Blue", "M", 4)]
    runner = make_product(workspace, "Trail Runner Ünïcode", product_type="Shoes", tags="trail, run",
                          description_html="<p>Grippy &amp; light</p>",
                          variants=[{"price": "120.00", "qty": q, "sku": f"TR-{c}-{s}", "title": f"{c} / {s}",
                                     "options": {"Color": c, "Size": s}} for c, s, q in sizes])  # fmt: skip
    mug = make_product(workspace, "Mug", variants=[{"price": "9.50", "qty": 7, "sku": "MUG-1"}])
    return {"runner": runner, "mug": mug}


def _ok(result):
    assert "error" not in result, result
    return result


def test_the_ucp_tools_are_registry_tools_apart_from_the_agents(shop):
    assert set(UCP_TOOLS) == {"search_catalog", "lookup_catalog", "get_product", "get_order"} == READ_ONLY
    assert all(isinstance(t, Tool) for t in UCP_TOOLS.values())
    assert UCP_TOOLS["get_product"] is not TOOLS["get_product"]  # the agent keeps its own shape
    for tool in UCP_TOOLS.values():  # strict function schemas can be made from them, as for the agent's
        assert tool.chat_schema()["function"]["name"] == tool.name and tool.description
    assert call_ucp("product_search", {}, ToolContext(1))["error"]["type"] == "unknown_tool"
    assert call("search_catalog", {}, ToolContext(1))["error"]["type"] == "unknown_tool"


def test_search_catalog_answers_ucp_products_with_live_availability(db, workspace, shop, reserve):
    runner = shop["runner"]
    reserve(runner.variants[0], 3)  # Red / S: every unit held
    ctx = ToolContext(workspace.id)
    result = _ok(call_ucp("search_catalog", {"meta": META, "catalog": {"query": "trail runner"}}, ctx))
    assert problems("shopping/catalog_search.json", "search_response", result) == []
    (product,) = [p for p in result["products"] if p["title"].startswith("Trail")]
    assert product["id"] == f"gid://wagents/Product/{runner.id}"
    assert product["description"] == {"plain": "Grippy & light"}
    assert product["price_range"]["min"] == {"amount": 12000, "currency": "EUR"}
    by_sku = {v["sku"]: v for v in product["variants"]}
    assert by_sku["TR-Red-S"]["availability"] == {"available": False, "status": "out_of_stock"}
    assert by_sku["TR-Blue-M"]["availability"] == {"available": True, "status": "in_stock"}
    assert {o["name"]: [v["label"] for v in o["values"]] for o in product["options"]} == {
        "Color": ["Red", "Blue"], "Size": ["S", "M"]}  # fmt: skip


def test_search_catalog_pages_and_filters_in_minor_units(workspace, shop):
    ctx = ToolContext(workspace.id)
    first = _ok(call_ucp("search_catalog", {"catalog": {"query": "", "pagination": {"limit": 1}}}, ctx))
    assert first["pagination"]["has_next_page"] is True and len(first["products"]) == 1
    second = _ok(
        call_ucp(
            "search_catalog",
            {"catalog": {"pagination": {"limit": 1, "cursor": first["pagination"]["cursor"]}}},
            ctx,
        )
    )
    assert problems("shopping/catalog_search.json", "search_response", second) == []
    assert second["products"][0]["id"] != first["products"][0]["id"]
    assert second["pagination"] == {"has_next_page": False}
    cheap = _ok(call_ucp("search_catalog", {"catalog": {"filters": {"price": {"max": 1000}},
                                                         "context": {"currency": "EUR"}}}, ctx))  # fmt: skip
    assert [p["title"] for p in cheap["products"]] == ["Mug"]
    bad = call_ucp("search_catalog", {"catalog": {"pagination": {"cursor": "%%%"}}}, ctx)
    assert bad["error"]["type"] == "invalid_arguments"


def test_lookup_catalog_resolves_ids_skus_and_handles_and_reports_the_missing(workspace, shop):
    runner, mug = shop["runner"], shop["mug"]
    blue_m = runner.variants[3]
    ids = [f"gid://wagents/Product/{mug.id}", f"gid://wagents/ProductVariant/{blue_m.id}", "TR-Red-S",
           "trail-runner-ünïcode", "gid://wagents/Product/999999", "nope"]  # fmt: skip
    result = _ok(
        call_ucp("lookup_catalog", {"meta": META, "catalog": {"ids": ids}}, ToolContext(workspace.id))
    )
    assert problems("shopping/catalog_lookup.json", "lookup_response", result) == []
    products = {p["title"]: p for p in result["products"]}
    assert set(products) == {"Mug", "Trail Runner Ünïcode"}
    inputs = {v["sku"]: v["inputs"] for v in products["Trail Runner Ünïcode"]["variants"]}
    assert inputs["TR-Blue-M"] == [{"id": ids[1], "match": "exact"}]
    assert inputs["TR-Red-S"][0] == {"id": "TR-Red-S", "match": "exact"}
    assert {"id": ids[3], "match": "featured"} in inputs["TR-Red-S"]  # the handle: the first variant in stock
    assert [m["content"] for m in result["messages"]] == [ids[4], "nope"]


def test_get_product_narrows_by_selection_and_signals_option_availability(workspace, shop):
    runner = shop["runner"]
    ctx = ToolContext(workspace.id)
    args = {"meta": META, "catalog": {"id": f"gid://wagents/Product/{runner.id}",
                                      "selected": [{"name": "Color", "label": "Red"}, {"name": "Size", "label": "M"}],
                                      "preferences": ["Color", "Size"]}}  # fmt: skip
    result = _ok(call_ucp("get_product", args, ctx))
    assert problems("shopping/catalog_lookup.json", "get_product_response", result) == []
    product = result["product"]
    assert product["variants"][0]["sku"] == "TR-Red-M"  # the exact match leads, even out of stock
    sizes = {v["label"]: v for o in product["options"] if o["name"] == "Size" for v in o["values"]}
    assert sizes["S"] == {"label": "S", "exists": True, "available": True}  # Red / S has 3
    assert sizes["M"] == {"label": "M", "exists": True, "available": False}  # Red / M has none
    # A selection no variant has is relaxed from the end of the preferences.
    args["catalog"]["selected"] = [{"name": "Color", "label": "Blue"}, {"name": "Size", "label": "XL"}]
    relaxed = _ok(call_ucp("get_product", args, ctx))["product"]
    assert relaxed["selected"] == [{"name": "Color", "label": "Blue"}]
    assert relaxed["variants"][0]["sku"] == "TR-Blue-S"
    missing = call_ucp("get_product", {"catalog": {"id": "gid://wagents/Product/424242"}}, ctx)
    assert problems("shopping/types/error_response.json", None, missing) == []
    assert missing["messages"][0]["code"] == "not_found"


def test_get_order_reads_back_an_agent_order_in_ucp_shape(db, workspace, other_workspace, shop):
    ctx = ToolContext(workspace.id)
    mug, runner = shop["mug"], shop["runner"]
    made = call("create_order", {"items": [{"variant_id": mug.variants[0].id, "quantity": 2},
                                           {"sku": "TR-Blue-M", "quantity": 1}]}, ctx)  # fmt: skip
    order_id = made["order_id"]
    result = _ok(call_ucp("get_order", {"meta": META, "id": f"gid://wagents/Order/{order_id}"}, ctx))
    assert problems("shopping/order.json", None, result) == []
    lines = {line["item"]["title"]: line for line in result["line_items"]}
    assert lines["Mug"]["item"]["price"] == 950 and lines["Mug"]["quantity"]["total"] == 2
    assert result["totals"][-1] == {"type": "total", "amount": 2 * 950 + 12000}
    assert runner.variants[3].id and result["currency"] == "EUR"
    assert result["permalink_url"].endswith(f"/orders/{order_id}")
    call("cancel_order", {"order_id": order_id, "reason": "changed my mind"}, ctx)
    cancelled = _ok(call_ucp("get_order", {"id": str(order_id)}, ctx))
    assert problems("shopping/order.json", None, cancelled) == []
    assert [a["type"] for a in cancelled["adjustments"]] == ["cancellation"]
    assert db.session.query(Reservation).filter_by(order_id=order_id, status="active").count() == 0
    # Another workspace's token sees no such order.
    hidden = call_ucp("get_order", {"id": f"gid://wagents/Order/{order_id}"}, ToolContext(other_workspace.id))
    assert problems("shopping/types/error_response.json", None, hidden) == []
    assert utcnow()


def test_bad_ucp_arguments_are_tool_errors_naming_the_field(workspace):
    ctx = ToolContext(workspace.id)
    result = call_ucp("lookup_catalog", {"catalog": {"ids": []}}, ctx)
    assert result["error"]["type"] == "invalid_arguments" and "catalog.ids" in result["error"]["message"]
    result = call_ucp("get_order", {"id": "x\x00y"}, ctx)
    assert result["error"]["type"] == "invalid_arguments"


def test_ucp_own_example_requests_are_accepted(workspace, shop):
    """The request bodies of UCP's catalog MCP binding (docs/specification/catalog/mcp.md, 2026-04-08)."""
    ctx = ToolContext(workspace.id)
    search = {"meta": META, "catalog": {"query": "blue running shoes",
              "context": {"address_country": "US", "address_region": "CA",
                          "intent": "looking for comfortable everyday shoes"},
              "filters": {"categories": ["Footwear"], "price": {"max": 15000}}, "pagination": {"limit": 20}}}  # fmt: skip
    assert problems("shopping/catalog_search.json", "search_request", search["catalog"]) == []
    assert "products" in _ok(call_ucp("search_catalog", search, ctx))
    lookup = {
        "meta": META,
        "catalog": {"ids": ["prod_abc123", "var_xyz789"], "context": {"address_country": "US"}},
    }
    answer = _ok(call_ucp("lookup_catalog", lookup, ctx))
    assert answer["products"] == [] and len(answer["messages"]) == 2
    detail = {"meta": META, "catalog": {"id": "prod_abc123", "selected": [{"name": "Color", "label": "Blue"}],
                                        "preferences": ["Color", "Size"], "context": {"address_country": "US"}}}  # fmt: skip
    assert problems("shopping/catalog_lookup.json", "get_product_request", detail["catalog"]) == []
    assert _ok(call_ucp("get_product", detail, ctx))["messages"][0]["code"] == "not_found"
