"""Sign-up, login, logout and password reset pages."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.web.auth import reset_routes, routes  # noqa: E402,F401
