"""The overview page: integrations and their running syncs, counts, open alerts (dismissable) and the 14-day
activity chart."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from app.web.dashboard import routes  # noqa: E402,F401
