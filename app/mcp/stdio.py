"""`flask mcp stdio --token ...`: the MCP server over stdin/stdout, for a local client that spawns it.

The token is checked once at start (a missing or revoked one exits with an error before serving); every
call is still scoped, limited and recorded as over HTTP. Logs go to stderr: stdout carries the protocol.
"""

from __future__ import annotations

import anyio
from flask import Flask
from mcp.server.stdio import stdio_server

from app.mcp.identity import Caller, caller_for
from app.mcp.server import build_server


class InvalidToken(Exception):
    pass


def serve_stdio(flask_app: Flask, plain: str) -> None:
    caller: Caller | None = caller_for(flask_app, plain, "stdio")
    if caller is None:
        raise InvalidToken("Invalid or revoked API token.")
    server = build_server(flask_app, lambda _ctx: caller)

    async def main():
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)
