"""`GET /.well-known/ucp`: the UCP business profile (Universal Commerce Protocol), public like any
discovery document. It lists the MCP endpoint of the UCP tools (`/ucp/mcp` beside `MCP_URL`'s `/mcp`) and the capabilities
its UCP tools serve - catalog search, catalog lookup, order - from `agent_tools.ucp.business_profile`. Checkout
is not served, so it is not listed. Its own blueprint: not under /api, no token."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from agent_tools.ucp import business_profile

bp = Blueprint("well_known", __name__, url_prefix="/.well-known")


def mcp_endpoint() -> str:
    """Where the MCP server serves UCP's tools: its `/mcp` path's sibling `/ucp/mcp` (app.mcp.http)."""
    url = current_app.config.get("MCP_URL") or f"{current_app.config['APP_URL']}/mcp"
    root = url.removesuffix("/").removesuffix("/mcp")
    return f"{root}/ucp/mcp"


@bp.get("/ucp")
def ucp_profile():
    response = jsonify(business_profile(mcp_endpoint()))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # read by agents and platforms from anywhere
    return response
