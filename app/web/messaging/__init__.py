"""The Messaging page: WhatsApp message templates, the outbox with each message's status, and the follow-up
automations (on/off, template, delay). Data from `app.services.messaging`."""

from flask import Blueprint

bp = Blueprint("messaging", __name__, url_prefix="/messaging")

from app.web.messaging import routes  # noqa: E402,F401
