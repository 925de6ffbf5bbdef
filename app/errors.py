"""Error pages and JSON errors in one place: /api answers JSON, pages answer HTML, never a bare 500.

Every `AppError` (the base in `app.problems` of the service, sync, inventory, params and tool errors) is
answered here: `{"error": message, ...its extra fields}` with its status on /api, the error page (or, for an
htmx swap, just the sentence) elsewhere. Routes catch an error only to answer something else (a form with its
field errors). `app.json_errors.json_error` is the one shape of a JSON error; `app.api` answers its own
refusals with it too.
"""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.json_errors import json_error
from app.problems import AppError
from app.web.fragments import is_htmx

log = logging.getLogger(__name__)


# Werkzeug's stock sentences, in the merchant's words; a route's own `abort(404, "...")` keeps its sentence.
HEADLINES = {
    400: "That request was not understood",
    403: "Not allowed",
    404: "Page not found",
    405: "Not available here",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Not available right now",
}
PLAIN_WORDS = {
    404: "There is no page at this address. It may have moved, or the link may be mistyped.",
    405: "This address does not answer that kind of request. Use the buttons and links on the page.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def _page_error(code: int, message: str):
    """The error page, or for an htmx swap just the sentence, shown where the fragment would have gone."""
    if is_htmx():
        return render_template("_error_fragment.html", message=message), code
    headline = HEADLINES.get(code, "Something went wrong" if code >= 500 else "That did not work")
    return render_template("error.html", code=code, headline=headline, message=message), code


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = "Your form expired or was sent from another site. Reload the page and try again."
        if _wants_json():
            return jsonify({"error": message}), 400
        return _page_error(400, message)

    @app.errorhandler(AppError)
    def app_error(exc: AppError):
        if _wants_json():
            return json_error(exc.message, exc.status, **exc.answer())
        return _page_error(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        message = exc.description or exc.name
        if exc.description == type(exc).description:  # Werkzeug's stock sentence, not the route's own
            message = PLAIN_WORDS.get(exc.code, message)
        if _wants_json():
            response = jsonify({"error": message})
            response.status_code = exc.code or 500
            return response
        return _page_error(exc.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        message = "Something went wrong on our side. It has been logged."
        if _wants_json():
            return jsonify({"error": message}), 500
        return render_template("error.html", code=500, headline=HEADLINES[500], message=message), 500
