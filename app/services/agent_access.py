"""What Settings → Agents shows: the MCP server's address, client configurations to paste into an agent, and
the recent tool calls of outside agents (read through the workspace scope)."""

from __future__ import annotations

import json

from app.extensions import db
from app.models import AgentCall, ApiToken
from app.models.scoping import WorkspaceScope
from app.services.tool_summaries import summarise

RECENT_CALLS = 50
TOKEN_PLACEHOLDER = "<an API token with the scopes the agent needs>"
# What an agent that sells needs: read the catalog and orders, create orders. No admin, no messages.
AGENT_SCOPES = ("catalog:read", "orders:read", "orders:write")


def client_config(mcp_url: str, token: str | None = None) -> str:
    """The `mcpServers` entry for a Streamable HTTP client (Claude, Cursor, VS Code, the SDK's own...)."""
    config = {
        "mcpServers": {
            "wagents": {
                "type": "http",
                "url": mcp_url,
                "headers": {"Authorization": f"Bearer {token or TOKEN_PLACEHOLDER}"},
            }
        }
    }
    return json.dumps(config, indent=2, ensure_ascii=False)


def stdio_config(token: str | None = None) -> str:
    """The entry for a local client that spawns the server itself (run from the app's folder)."""
    args = ["--app", "wsgi", "mcp", "stdio", "--token", token or TOKEN_PLACEHOLDER]
    return json.dumps({"mcpServers": {"wagents": {"command": "flask", "args": args}}}, indent=2)


def recent_calls(scope: WorkspaceScope, limit: int = RECENT_CALLS) -> list[dict]:
    """The newest calls first, each with the name of the token that made it (None once it is deleted)."""
    calls = db.session.scalars(scope.select(AgentCall).order_by(AgentCall.id.desc()).limit(limit)).all()
    token_ids = {c.token_id for c in calls if c.token_id}
    tokens = scope.all(ApiToken, ApiToken.id.in_(token_ids)) if token_ids else []
    names = {t.id: f"{t.name} ({t.token_prefix}…)" for t in tokens}
    return [
        {
            "call": c,
            "token": names.get(c.token_id),
            "summary": summarise(c.tool, c.arguments, outcome=c.outcome),
        }
        for c in calls
    ]
