"""The MCP tool list and tool call, generated from the agent tools; the same for HTTP and stdio.

`tools/list` is built from `agent_tools.mcp_tools()` on every request, so a tool registered in the registry
is served at once with no code here: its name, description, input JSON schema (the one the OpenAI schemas
carry) and annotations (read-only, destructive, idempotent, open-world). `tools/call` checks the token's
scope and rate limit, runs `agent_tools.run()` in a worker thread inside a Flask app context for the
token's workspace, records the call, and answers the tool's JSON as text and structured content; a tool
error is a result with `isError` (the agent reads it), never a protocol failure.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any

import anyio.to_thread
import mcp_types as types
from flask import Flask
from mcp.server.lowlevel import Server

import agent_tools
from agent_tools.registry import error
from app.mcp import calls
from app.mcp.identity import Caller

SERVER_NAME = "wagents-commerce"
INSTRUCTIONS = (
    "Tools of one shop's catalog and orders, synced from Shopify with live stock. Search with product_search, "
    "check stock with check_availability, then create_order holds the stock for the order."
)


@lru_cache(maxsize=512)
def mcp_tool(tool: agent_tools.Tool) -> types.Tool:
    """The MCP form of one tool, built once per tool (a schema costs a pydantic walk; the SDK asks for
    the tool's schema on every call to check its headers)."""
    return types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=tool.input_schema(),
        annotations=types.ToolAnnotations(
            read_only_hint=tool.read_only,
            destructive_hint=tool.destructive,
            idempotent_hint=tool.idempotent,
            open_world_hint=tool.open_world,
        ),
    )


def execute(
    flask_app: Flask, caller: Caller, name: str, arguments: dict | None, tools: list | None = None
) -> dict | list:
    """Run one call for `caller` (blocking) of `tools` (default: the agent tools): scope, limit, the tool,
    the record. Never raises."""
    started = time.perf_counter()
    with flask_app.app_context():
        selected = {t.name: t for t in (agent_tools.mcp_tools() if tools is None else tools)}.get(name)
        if selected is None:
            body = error("unknown_tool", f"There is no tool named {name!r}.")
        elif selected.scope not in caller.scopes:
            body = error(
                "missing_scope",
                f"This token lacks the '{selected.scope}' scope that {name} needs. Make a token with "
                f"'{selected.scope}' on Settings → API tokens.",
                required_scope=selected.scope,
            )
        elif (wait := calls.wait_seconds(caller.token_id)) is not None:
            body = error(
                "rate_limited",
                f"Too many calls with this token. Wait {wait} seconds and try again.",
                retry_after=wait,
            )
        else:
            context = agent_tools.ToolContext(caller.workspace_id)
            body = agent_tools.run(selected, arguments or {}, context)
        failure = body.get("error") if isinstance(body, dict) else None
        outcome = failure["type"] if failure else "ok"
        message = failure["message"] if failure else None
        calls.record(caller, name, arguments, outcome, message, (time.perf_counter() - started) * 1000)
    return body


def build_server(
    flask_app: Flask,
    caller_of: Callable[[Any], Caller | None],
    tools_of: Callable[[Any], list] = lambda _ctx: agent_tools.mcp_tools(),
) -> Server:
    """A low-level MCP server. `caller_of(ctx)` says who sent a request, `tools_of(ctx)` which tool list it
    reaches (the agent tools, or UCP's at its own path)."""

    async def list_tools(ctx, _params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[mcp_tool(t) for t in tools_of(ctx)])

    async def call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        caller = caller_of(ctx)
        if caller is None:  # the HTTP edge answers 401 before this; kept for any other transport
            body = error("unauthorized", "Send a valid API token: 'Authorization: Bearer <token>'.")
        else:
            run = partial(execute, flask_app, caller, params.name, params.arguments, tools_of(ctx))
            body = await anyio.to_thread.run_sync(run)
        text = json.dumps(body, ensure_ascii=False)
        is_error = isinstance(body, dict) and "error" in body
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)],
            structured_content=body if isinstance(body, dict) else {"items": body},
            is_error=is_error,
        )

    return Server(
        SERVER_NAME,
        version="1.0",
        instructions=INSTRUCTIONS,
        get_tool_input_schema=_input_schema,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
    )


@functools.lru_cache(maxsize=256)
def _schema_text(name: str) -> str | None:
    # Asked by name alone (to check `Mcp-Param-*` headers): a name both lists hold with different
    # arguments (`get_product`) has no one schema, and the SDK then checks no header. The tool lists are
    # fixed when the process starts, so each name is worked out once, not on every call.
    found = {json.dumps(mcp_tool(t).input_schema, sort_keys=True) for t in _named(name)}
    return found.pop() if len(found) == 1 else None


def _input_schema(name: str) -> dict | None:
    text = _schema_text(name)
    return None if text is None else json.loads(text)  # a fresh dict each time: callers may change it


def _named(name: str) -> list:
    return [t for t in (*agent_tools.mcp_tools(), *agent_tools.ucp_tools()) if t.name == name]
