"""Who is calling the MCP server: an API token of one workspace, with its scopes.

Resolved from the `Authorization: Bearer` header for every HTTP request (a token revoked mid-session stops
working at its next request), or once from `--token` for stdio. Uses the same token check as `/api`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from app.services import accounts


@dataclass(frozen=True)
class Caller:
    token_id: int
    workspace_id: int
    scopes: frozenset[str]
    transport: str  # "http" | "stdio"


def bearer(header: str | None) -> str | None:
    scheme, _, plain = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not plain.strip():
        return None
    return plain.strip()


def caller_for(flask_app: Flask, plain: str | None, transport: str) -> Caller | None:
    """The caller for a plain token, or None when it is missing, unknown or revoked (blocking: a DB read)."""
    if not plain:
        return None
    with flask_app.app_context():
        token = accounts.token_for(plain)
        if token is None:
            return None
        return Caller(token.id, token.workspace_id, token.scope_set, transport)
