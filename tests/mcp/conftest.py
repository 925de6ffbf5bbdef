"""The MCP server on a loopback port (uvicorn in a thread of the test process, serving the test app, so it
reads and writes the test database), and the SDK's own client to drive it over Streamable HTTP or stdio."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import json
import os
import socket
import sys
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import uvicorn
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from app.mcp.http import asgi_app
from app.services import accounts

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port the kernel has just handed out, so parallel test runs never collide on a fixed one."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def mcp_url(app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(asgi_app(app), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the MCP server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(timeout=10)


@asynccontextmanager
async def http_client(url: str, token: str):
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        create_mcp_http_client(headers=headers) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def stdio_params(app, token: str) -> StdioServerParameters:
    """`flask --app wsgi mcp stdio --token ...` against the test database, as a local client spawns it."""
    env = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    args = ["-m", "flask", "--app", "wsgi", "mcp", "stdio", "--token", token]
    return StdioServerParameters(command=sys.executable, args=args, env=env, cwd=str(ROOT))


def run(coro):
    """Run a client scenario on an event loop of its own thread: a session-wide fixture (Playwright's sync
    API in the browser tests) may hold a running loop in the main thread, where asyncio.run refuses. The
    thread runs in a copy of this context, so the test's app context (and its rows) go with it."""
    context = contextvars.copy_context()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coro).result()


def body(result) -> dict:
    """The JSON a tool answered (its text content; the structured content carries the same)."""
    parsed = json.loads(result.content[0].text)
    assert result.structured_content == parsed or "items" in (result.structured_content or {})
    return parsed


@pytest.fixture
def make_token():
    def make(user, *scopes: str, name: str = "agent") -> str:
        return accounts.create_api_token(user, name, list(scopes) or None)[1]

    return make


# Every argument of the strict schemas is required (nullable when optional): what a model would send.
def search_args(query: str, **extra) -> dict:
    return {"query": query, "category": None, "price_min": None, "price_max": None, "in_stock_only": None,
            "limit": None, **extra}  # fmt: skip


def order_args(variant_id: int, quantity: int, customer_name: str | None = None) -> dict:
    return {
        "items": [{"variant_id": variant_id, "sku": None, "quantity": quantity}],
        "customer_name": customer_name,
    }
