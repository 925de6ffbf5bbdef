"""The Agents tab: where an outside agent connects (the MCP server's URL and a client configuration to copy),
a token made for an agent, and the recent calls agents made."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user, login_required

from app.auth_scope import current_scope
from app.services import accounts, agent_access
from app.web.settings import bp
from app.web.settings.forms import TokenForm


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    mcp_url = current_app.config["MCP_URL"]
    return render_template(
        "settings/agents.html",
        form=form,
        mcp_url=mcp_url,
        new_token=new_token,
        http_config=agent_access.client_config(mcp_url, new_token),
        stdio_config=agent_access.stdio_config(new_token),
        calls=agent_access.recent_calls(current_scope()),
    ), status


@bp.route("/agents", methods=["GET", "POST"])
@login_required
def agents():
    form = TokenForm()
    if request.method == "GET":
        form.name.data = "Agent"
        form.scopes.data = list(agent_access.AGENT_SCOPES)
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, status=422)
    _, plain = accounts.create_api_token(current_user, form.name.data or "Agent", form.scopes.data)
    return _page(form, new_token=plain)
