"""The Demo phone page: what the stand-in number's customer receives (templates with their parameters filled,
product messages, agent and merchant replies, with status ticks), and a box to answer as that customer.
Shown only when the workspace's WhatsApp integration is the stand-in number (`flask demo`); data from
`app.services.demo_phone` and the stand-in the app holds in `extensions["demo_phone"]`."""

from flask import Blueprint

bp = Blueprint("demo_phone", __name__, url_prefix="/demo-phone")

from app.web.demo_phone import routes  # noqa: E402,F401
