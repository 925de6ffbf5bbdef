"""Live sync progress on the dashboard: start a run and poll its progress fragment (htmx, every second).

Routes parse input, call `app.sync.service`, render `templates/sync/`. No business logic, no HTTP out.
"""

from flask import Blueprint

bp = Blueprint("sync", __name__, url_prefix="/sync")

from app.web.sync import routes  # noqa: E402,F401
