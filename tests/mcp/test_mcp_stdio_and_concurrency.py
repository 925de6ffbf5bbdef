"""The same server over stdio (the SDK's stdio client spawning `flask --app wsgi mcp stdio --token ...`), and
many agents at once over HTTP racing for the last units of one variant."""

from __future__ import annotations

import asyncio
import os

from mcp import Client

import agent_tools
from app.extensions import db
from app.models import AgentCall, Order, Reservation
from app.services import accounts
from tests.mcp.conftest import body, http_client, order_args, run, search_args, stdio_params


def test_over_stdio_the_same_tools_search_order_and_read_back(app, user, make_product, make_user, make_token):
    kettle = make_product(user.workspace, "Kettle 水", quantity=2, price="25.00")
    variant_id = kettle.variants[0].id
    token = make_token(user)
    reader = make_token(user, "catalog:read", "orders:read")
    rival = make_token(make_user("rival@example.com", workspace="Rival"))

    async def scenario():
        async with Client(stdio_params(app, token)) as client:
            tools = (await client.list_tools()).tools
            found = body(await client.call_tool("product_search", search_args("kettle")))
            made = await client.call_tool("create_order", order_args(variant_id, 2))
            read = body(await client.call_tool("get_order_status", {"order_id": body(made)["order_id"]}))
        async with Client(stdio_params(app, reader)) as client:
            refused = await client.call_tool("create_order", order_args(variant_id, 1))
        async with Client(stdio_params(app, rival)) as client:
            rival_found = body(await client.call_tool("product_search", search_args("kettle")))
            rival_read = await client.call_tool("get_order_status", {"order_id": body(made)["order_id"]})
        return tools, found, made, read, refused, rival_found, rival_read

    tools, found, made, read, refused, rival_found, rival_read = run(scenario())
    expected = [s["function"] for s in agent_tools.schemas()]
    assert [(t.name, t.description, t.input_schema) for t in tools] == [
        (s["name"], s["description"], s["parameters"]) for s in expected
    ]
    assert [p["product_id"] for p in found["products"]] == [kettle.id]
    assert not made.is_error and body(made)["stock_held"] == 2
    assert read["status"] == "draft" and read["items"][0]["variant_id"] == variant_id
    assert refused.is_error and body(refused)["error"]["type"] == "missing_scope"
    assert "orders:write" in body(refused)["error"]["message"]
    assert rival_found["products"] == [] and rival_read.is_error
    db.session.expire_all()
    assert db.session.query(Order).count() == 1
    transports = {c.transport for c in db.session.query(AgentCall)}
    assert transports == {"stdio"}


def test_stdio_refuses_a_revoked_token_before_serving(app, user, make_token):
    import subprocess

    token = make_token(user)
    accounts.revoke_api_token(user.workspace_id, accounts.token_for(token).id)
    params = stdio_params(app, token)
    done = subprocess.run([params.command, *params.args], env={**os.environ, **params.env}, cwd=params.cwd,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode != 0
    assert "Invalid or revoked API token" in done.stderr
    assert done.stdout == ""


def test_fifty_agents_racing_for_the_last_ten_units_get_exactly_ten(mcp_url, user, make_product, make_token):
    # Both databases hold this: Postgres with row locks, SQLite by serialising writers (BEGIN IMMEDIATE with
    # a busy timeout), so all 50 clients run on SQLite too.
    clients = 50
    bulb = make_product(user.workspace, "Last bulbs", quantity=10)
    variant_id = bulb.variants[0].id
    tokens = [make_token(user, "catalog:read", "orders:write", name=f"agent {n}") for n in range(clients)]

    async def one(token):
        async with http_client(mcp_url, token) as client:
            return await client.call_tool("create_order", order_args(variant_id, 1))

    async def race():
        return await asyncio.gather(*(one(t) for t in tokens))

    results = run(race())
    won = [r for r in results if not r.is_error]
    lost = [body(r)["error"]["type"] for r in results if r.is_error]
    assert len(won) == 10
    assert set(lost) == {"out_of_stock"} and len(lost) == clients - 10
    db.session.expire_all()
    held = db.session.query(Reservation).filter_by(variant_id=variant_id, status="active").all()
    assert sum(r.quantity for r in held) == 10
    assert db.session.query(Order).count() == 10  # a refused order leaves nothing behind
