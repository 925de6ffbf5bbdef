"""Settings pages: notifications and the agent (general settings), and API tokens."""

from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/settings")

from app.web.settings import general, routes  # noqa: E402,F401
