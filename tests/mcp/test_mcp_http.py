"""The MCP server over Streamable HTTP, driven by the SDK's own client: the tools are the registry's, calls
act for the token's workspace only, scopes and revocation hold, and every call is recorded."""

from __future__ import annotations

import httpx2
import pytest
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from pydantic import BaseModel, Field

import agent_tools
from agent_tools import registry
from app.extensions import db
from app.models import AgentCall, Order, Reservation
from app.services import accounts
from tests.mcp.conftest import body, http_client, order_args, run, search_args


@pytest.fixture
def lamp(make_product, workspace):
    return make_product(workspace, "Ünïcode Lamp ☃", quantity=3, price="19.90", sku="LAMP-1")


def test_the_tool_list_is_the_registry_with_its_schemas_and_hints(mcp_url, user, make_token):
    token = make_token(user)

    async def scenario():
        async with http_client(mcp_url, token) as client:
            return (await client.list_tools()).tools

    tools = run(scenario())
    expected = [s["function"] for s in agent_tools.schemas()]
    assert [t.name for t in tools] == [s["name"] for s in expected]
    for served, schema in zip(tools, expected, strict=True):
        assert served.description == schema["description"]
        assert served.input_schema == schema["parameters"]
    hints = {t.name: t.annotations for t in tools}
    assert hints["product_search"].read_only_hint is True
    assert hints["create_order"].read_only_hint is False
    assert hints["create_order"].destructive_hint is False
    assert hints["cancel_order"].destructive_hint is True and hints["cancel_order"].idempotent_hint is True
    assert hints["whatsapp_send_product"].open_world_hint is True


def test_a_tool_added_to_the_registry_is_served_with_no_other_code(mcp_url, user, make_token, monkeypatch):
    class EchoInput(BaseModel):
        """Say a word back (a tool that exists only in this test)."""

        word: str = Field(description="The word.")

    def echo(args, ctx):
        return {"word": args.word[::-1], "workspace_id": ctx.workspace_id}

    extra = registry.Tool(
        "echo_word", EchoInput.__doc__, EchoInput, echo, scope="catalog:read", read_only=True
    )
    monkeypatch.setitem(registry.TOOLS, "echo_word", extra)
    token = make_token(user, "catalog:read")

    async def scenario():
        async with http_client(mcp_url, token) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            return tools, await client.call_tool("echo_word", {"word": "naïve\u0000x"})

    tools, result = run(scenario())
    assert tools["echo_word"].input_schema == extra.input_schema()
    assert tools["echo_word"].annotations.read_only_hint is True
    assert not result.is_error
    assert body(result) == {"word": "x\u0000evïan", "workspace_id": user.workspace_id}


def test_search_reserve_the_last_units_order_and_read_back(mcp_url, user, lamp, make_token, make_user):
    token = make_token(user)
    variant = lamp.variants[0]
    other = make_user("rival@example.com", workspace="Rival shop")
    other_token = make_token(other)

    async def scenario():
        async with http_client(mcp_url, token) as client:
            found = body(await client.call_tool("product_search", search_args("lamp")))
            stock = body(await client.call_tool("check_availability", {"variant_id": variant.id, "sku": None,
                                                                        "quantity": None}))  # fmt: skip
            made = await client.call_tool("create_order", order_args(variant.id, 3, "Zoë"))
            again = await client.call_tool("create_order", order_args(variant.id, 1))
            read = body(await client.call_tool("get_order_status", {"order_id": body(made)["order_id"]}))
        async with http_client(mcp_url, other_token) as rival:
            rival_found = body(await rival.call_tool("product_search", search_args("lamp")))
            rival_read = await rival.call_tool("get_order_status", {"order_id": body(made)["order_id"]})
            rival_buy = await rival.call_tool("create_order", order_args(variant.id, 1))
        return found, stock, made, again, read, rival_found, rival_read, rival_buy

    found, stock, made, again, read, rival_found, rival_read, rival_buy = run(scenario())
    assert [p["product_id"] for p in found["products"]] == [lamp.id]
    assert stock["available"] == 3
    assert not made.is_error and body(made)["stock_held"] == 3
    assert again.is_error and body(again)["error"]["type"] == "out_of_stock"
    assert read["order_id"] == body(made)["order_id"] and read["items"][0]["quantity"] == 3
    assert read["total"] == "59.70"
    # The other workspace sees nothing of it: no product, no order, no variant to buy.
    assert rival_found["products"] == []
    assert rival_read.is_error and body(rival_read)["error"]["type"] == "not_found"
    assert rival_buy.is_error
    db.session.expire_all()
    order = db.session.get(Order, body(made)["order_id"])
    assert order.workspace_id == user.workspace_id
    held = db.session.query(Reservation).filter_by(variant_id=variant.id, status="active").all()
    assert sum(r.quantity for r in held) == 3


def test_a_read_only_token_cannot_create_an_order(mcp_url, user, lamp, make_token):
    token = make_token(user, "catalog:read")

    async def scenario():
        async with http_client(mcp_url, token) as client:
            found = await client.call_tool("product_search", search_args("lamp"))
            refused = await client.call_tool("create_order", order_args(lamp.variants[0].id, 1))
            return found, refused

    found, refused = run(scenario())
    assert not found.is_error
    assert refused.is_error
    error = body(refused)["error"]
    assert error["type"] == "missing_scope" and "orders:write" in error["message"]
    assert db.session.query(Order).count() == 0


def _status(url: str, token: str | None) -> int:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    ping = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    return httpx2.post(url, json=ping, headers=headers).status_code


def test_missing_unknown_and_revoked_tokens_get_401(mcp_url, user, make_token):
    token = make_token(user)
    assert _status(mcp_url, None) == 401
    assert _status(mcp_url, "wag_not-a-token") == 401
    assert _status(mcp_url, token) != 401
    token_row = accounts.token_for(token)
    assert accounts.revoke_api_token(user.workspace_id, token_row.id)
    assert _status(mcp_url, token) == 401

    seen: list[int] = []

    async def scenario():
        async def note(response):
            seen.append(response.status_code)

        headers = {"Authorization": f"Bearer {token}"}
        async with create_mcp_http_client(headers=headers) as http:
            http.event_hooks["response"].append(note)
            async with Client(streamable_http_client(mcp_url, http_client=http)) as client:
                await client.list_tools()

    with pytest.raises(ExceptionGroup) as raised:  # the SDK client refuses to go on
        run(scenario())
    assert raised.group_contains(MCPError)
    assert seen and set(seen) == {401}


def test_every_call_is_recorded_without_personal_data(mcp_url, user, lamp, make_token):
    token = make_token(user, "catalog:read", "orders:write")
    long_query = "lamp " + "x" * 180

    async def scenario():
        async with http_client(mcp_url, token) as client:
            await client.call_tool("product_search", search_args(long_query))
            await client.call_tool("create_order", order_args(lamp.variants[0].id, 1, "Ana Secret-Surname"))
            await client.call_tool("get_order_status", {"order_id": 1})  # orders:read not granted

    run(scenario())
    db.session.expire_all()
    calls = db.session.query(AgentCall).order_by(AgentCall.id).all()
    assert [(c.tool, c.outcome) for c in calls] == [
        ("product_search", "ok"), ("create_order", "ok"), ("get_order_status", "missing_scope"),
    ]  # fmt: skip
    assert all(c.workspace_id == user.workspace_id and c.transport == "http" for c in calls)
    assert calls[0].token_id == accounts.token_for(token).id
    assert len(calls[0].arguments) <= 500 and "x" * 100 not in calls[0].arguments
    assert "Secret-Surname" not in calls[1].arguments and str(lamp.variants[0].id) in calls[1].arguments
    assert all(c.duration_ms >= 0 for c in calls)


def test_calls_past_the_token_limit_get_a_clear_error(mcp_url, app, user, make_token, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MCP_RATE_LIMIT", "3 per minute")
    token = make_token(user)
    other = make_token(make_user("second@example.com"))

    async def scenario():
        async with http_client(mcp_url, token) as client:
            answers = [await client.call_tool("product_search", search_args("x")) for _ in range(4)]
        async with http_client(mcp_url, other) as client:
            answers.append(await client.call_tool("product_search", search_args("x")))
        return answers

    answers = run(scenario())
    assert [a.is_error for a in answers] == [False, False, False, True, False]  # per token, not per server
    error = body(answers[3])["error"]
    assert error["type"] == "rate_limited" and "Wait" in error["message"]


def test_ucp_tools_are_served_at_their_own_path_for_the_token_s_workspace(
    mcp_url, user, lamp, make_token, make_user
):
    ucp_url = mcp_url.replace("/mcp", "/ucp/mcp")
    token, stranger = (
        make_token(user, "catalog:read"),
        make_token(make_user("other@example.com"), "catalog:read"),
    )
    orders_only = make_token(user, "orders:write")
    search = {"catalog": {"query": "lamp"}}

    async def scenario():
        async with http_client(ucp_url, token) as client:
            tools = (await client.list_tools()).tools
            found = body(await client.call_tool("search_catalog", search))
        async with http_client(ucp_url, stranger) as client:
            unseen = body(await client.call_tool("search_catalog", search))
        async with http_client(ucp_url, orders_only) as client:
            refused = await client.call_tool("search_catalog", search)
        async with http_client(mcp_url, token) as client:
            agent_get_product = next(t for t in (await client.list_tools()).tools if t.name == "get_product")
        return tools, found, unseen, refused, agent_get_product

    tools, found, unseen, refused, agent_get_product = run(scenario())
    assert [t.name for t in tools] == list(agent_tools.UCP_TOOLS)
    for served in tools:
        assert served.input_schema == agent_tools.UCP_TOOLS[served.name].input_schema()
        assert served.annotations.read_only_hint is True
    ucp_get_product = next(t for t in tools if t.name == "get_product")
    assert ucp_get_product.input_schema != agent_get_product.input_schema  # each path its own get_product
    assert [p["id"] for p in found["products"]] == [f"gid://wagents/Product/{lamp.id}"]
    assert found["products"][0]["title"] == "Ünïcode Lamp ☃"
    assert unseen["products"] == []
    assert refused.is_error and body(refused)["error"]["details"]["required_scope"] == "catalog:read"
