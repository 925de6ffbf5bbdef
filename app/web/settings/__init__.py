"""Settings pages: notifications and the agent (general settings), API tokens, outside agents (MCP), and
security (password change, log out everywhere)."""

from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/settings")

from app.web.settings import agents, general, rates, routes, security  # noqa: E402,F401
