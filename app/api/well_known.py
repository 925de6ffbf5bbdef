"""`GET /.well-known/ucp`: the UCP business profile (Universal Commerce Protocol), public like any
discovery document. It lists the MCP endpoint (`MCP_URL`, default `<APP_URL>/mcp`) and the capabilities its
UCP tools serve - catalog search, catalog lookup, order - from `agent_tools.ucp.business_profile`. Checkout
is not served, so it is not listed. Its own blueprint: not under /api, no token."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from agent_tools.ucp import business_profile

bp = Blueprint("well_known", __name__, url_prefix="/.well-known")


def mcp_endpoint() -> str:
    return current_app.config.get("MCP_URL") or f"{current_app.config['APP_URL']}/mcp"


@bp.get("/ucp")
def ucp_profile():
    response = jsonify(business_profile(mcp_endpoint()))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # read by agents and platforms from anywhere
    return response
