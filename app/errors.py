"""Error pages and JSON errors in one place: /api answers JSON, pages answer HTML, never a bare 500."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = "Your form expired or was sent from another site. Reload the page and try again."
        if _wants_json():
            return jsonify({"error": message}), 400
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description or exc.name
        if _wants_json():
            response = jsonify({"error": message})
            response.status_code = exc.code or 500
            return response
        return render_template("error.html", code=exc.code, message=message), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        message = "Something went wrong on our side. It has been logged."
        if _wants_json():
            return jsonify({"error": message}), 500
        return render_template("error.html", code=500, message=message), 500
