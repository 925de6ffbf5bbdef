"""Settings → Agents: the MCP server's URL, a client configuration that parses (with a new agent token filled
in once), and the recent calls of this workspace only. The API tokens tab makes tokens with chosen scopes."""

from __future__ import annotations

import html
import json
import re

from app.models import AgentCall, ApiToken
from app.services import accounts
from tests.conftest import log_in


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _config(page: str, element: str) -> dict:
    block = re.search(rf'<pre class="payload" id="{element}">(.*?)</pre>', page, re.S).group(1)
    return json.loads(html.unescape(block))


def test_the_agents_page_shows_the_server_and_a_configuration_to_copy(app, auth_client):
    page = auth_client.get("/settings/agents").get_data(as_text=True)
    server = _config(page, "http-config")["mcpServers"]["wagents"]
    assert server["url"] == app.config["MCP_URL"]
    assert server["headers"]["Authorization"].startswith("Bearer <")
    assert _config(page, "stdio-config")["mcpServers"]["wagents"]["args"][:4] == [
        "--app",
        "wsgi",
        "mcp",
        "stdio",
    ]
    assert "No agent has called a tool yet." in page


def test_an_agent_token_is_made_with_its_scopes_and_filled_into_the_configuration(auth_client, user, db):
    form = auth_client.get("/settings/agents").get_data(as_text=True)
    answer = auth_client.post("/settings/agents", data={"csrf_token": _csrf(form), "name": "Claude",
                                                        "scopes": ["catalog:read", "orders:write"]})  # fmt: skip
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    plain = _config(page, "http-config")["mcpServers"]["wagents"]["headers"]["Authorization"].removeprefix(
        "Bearer "
    )
    token = accounts.token_for(plain)
    assert token.name == "Claude" and token.scope_set == {"catalog:read", "orders:write"}
    assert plain not in auth_client.get("/settings/agents").get_data(as_text=True)  # shown once


def test_a_token_without_any_scope_is_refused_with_the_form_again(auth_client, db):
    form = auth_client.get("/settings/tokens").get_data(as_text=True)
    answer = auth_client.post("/settings/tokens", data={"csrf_token": _csrf(form), "name": "nothing"})
    assert answer.status_code == 422
    assert "Choose at least one scope." in answer.get_data(as_text=True)
    assert db.session.query(ApiToken).count() == 0


def test_recent_calls_are_this_workspaces_only(app, auth_client, user, make_user, db):
    mine = accounts.create_api_token(user, "mine")[0]
    other_user = make_user("other@example.com")
    theirs = accounts.create_api_token(other_user, "theirs")[0]
    db.session.add_all([
        AgentCall(workspace_id=user.workspace_id, token_id=mine.id, transport="http", tool="product_search",
                  arguments='{"query": "lamp"}', outcome="ok", duration_ms=12),
        AgentCall(workspace_id=other_user.workspace_id, token_id=theirs.id, transport="http", tool="create_order",
                  arguments='{"secret": "rival"}', outcome="missing_scope", message="no", duration_ms=3),
    ])  # fmt: skip
    db.session.commit()
    page = auth_client.get("/settings/agents").get_data(as_text=True)
    assert "product_search" in page and "mine (" in page
    assert "rival" not in page and "create_order" not in page
    other_client = app.test_client()
    log_in(other_client, other_user)
    assert "rival" in other_client.get("/settings/agents").get_data(as_text=True)
