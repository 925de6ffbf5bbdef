"""The Orders pages: list with filters, one order's detail, status changes and cancel (through app.inventory)."""

from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")

from app.web.orders import routes  # noqa: E402,F401
