"""The Integrations page: connect, reconnect, disconnect and sync Shopify, WhatsApp and Facebook (htmx cards),
and choose the Shopify locations the channels sell from."""

from flask import Blueprint

bp = Blueprint("integrations", __name__, url_prefix="/integrations")

from app.web.integrations import audit_routes, location_routes, routes  # noqa: E402,F401
