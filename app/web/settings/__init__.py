"""Settings pages: API tokens (and, later, notifications and the agent)."""

from flask import Blueprint

bp = Blueprint("settings", __name__, url_prefix="/settings")

from app.web.settings import routes  # noqa: E402,F401
