"""The Logs pages: sync runs, sync_log entries, the webhook inbox (detail, Retry) and compliance requests."""

from flask import Blueprint

bp = Blueprint("logs", __name__, url_prefix="/logs")

from app.web.logs import routes  # noqa: E402,F401
