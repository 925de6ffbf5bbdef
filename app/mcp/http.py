"""The Streamable HTTP edge: `POST /mcp`, each request authenticated by its API token.

Stateless (no MCP session is kept between requests), so any number of uvicorn processes can serve one shop
behind a load balancer, and JSON answers rather than SSE streams (no tool here streams). A request without a
valid token, or with a revoked one, is answered 401 before the SDK sees it. The token check runs in a worker
thread (a database read), like the tools.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import anyio.to_thread
from flask import Flask
from mcp.server.transport_security import TransportSecuritySettings

import agent_tools
from app.mcp.identity import bearer, caller_for
from app.mcp.server import build_server

PATH = "/mcp"
UCP_PATH = "/ucp/mcp"  # the same server, UCP's tools (`agent_tools.ucp_tools()`) instead of the agent's
CALLER = "wagents.mcp_caller"
TOOLS = "wagents.mcp_tools"


def _security(flask_app: Flask) -> TransportSecuritySettings:
    """The Host headers the server answers (DNS-rebinding protection): loopback and the public address."""
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    for url in (flask_app.config.get("MCP_URL"), flask_app.config.get("APP_URL")):
        parts = urlsplit(url or "")
        if parts.hostname:
            hosts += [parts.hostname, f"{parts.hostname}:*"]
            origins += [f"{parts.scheme}://{parts.netloc}"]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def _caller_of(ctx):
    request = getattr(ctx, "request", None)
    return request.scope.get(CALLER) if request is not None else None


def _tools_of(ctx):
    request = getattr(ctx, "request", None)
    ucp = request is not None and request.scope.get(TOOLS) == "ucp"
    return agent_tools.ucp_tools() if ucp else agent_tools.mcp_tools()


def asgi_app(flask_app: Flask):
    """The ASGI app to serve (uvicorn): the SDK's Streamable HTTP app behind the bearer-token check."""
    server = build_server(flask_app, _caller_of, _tools_of)
    inner = server.streamable_http_app(
        streamable_http_path=PATH,
        stateless_http=True,
        json_response=True,
        transport_security=_security(flask_app),
    )

    async def app(scope, receive, send):
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            plain = bearer(headers.get("authorization"))
            caller = await anyio.to_thread.run_sync(caller_for, flask_app, plain, "http")
            if caller is None:
                await _unauthorized(
                    send, "Missing API token" if not plain else "Invalid or revoked API token"
                )
                return
            scope[CALLER] = caller
            if scope.get("path", "").rstrip("/") == UCP_PATH:  # one SDK app (one lifespan) for both paths
                scope = {**scope, "path": PATH, "raw_path": PATH.encode(), TOOLS: "ucp"}
        await inner(scope, receive, send)

    return app


async def _unauthorized(send, reason: str) -> None:
    body = json.dumps({"error": f"{reason}: send 'Authorization: Bearer <token>' (Settings → API tokens)."})
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b'Bearer realm="mcp"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
