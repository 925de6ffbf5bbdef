"""Error pages and JSON errors in one place: /api answers JSON, pages answer HTML, never a bare 500."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.params import BadParameter

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _page_error(code: int, message: str):
    """The error page, or for an htmx swap just the sentence, shown where the fragment would have gone."""
    from app.web.fragments import is_htmx

    if is_htmx():
        return render_template("_error_fragment.html", message=message), code
    return render_template("error.html", code=code, message=message), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = "Your form expired or was sent from another site. Reload the page and try again."
        if _wants_json():
            return jsonify({"error": message}), 400
        return _page_error(400, message)

    @app.errorhandler(BadParameter)
    def bad_parameter(exc: BadParameter):
        message = exc.description
        if _wants_json():
            return jsonify({"error": message, "parameter": exc.parameter}), 400
        return _page_error(400, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description or exc.name
        if _wants_json():
            response = jsonify({"error": message})
            response.status_code = exc.code or 500
            return response
        return _page_error(exc.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        message = "Something went wrong on our side. It has been logged."
        if _wants_json():
            return jsonify({"error": message}), 500
        return render_template("error.html", code=500, message=message), 500
