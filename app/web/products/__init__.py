"""The Products page: search, filters, sorting, keyset pages, inline edit, delete, bulk actions and the
product detail (htmx fragments; every read also works as a plain link or form without JavaScript)."""

from flask import Blueprint

bp = Blueprint("products", __name__, url_prefix="/products")

from app.web.products import routes, shopify_routes  # noqa: E402,F401
