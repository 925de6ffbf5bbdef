"""The Shopify webhook POST served at the WSGI level, in front of Flask's request machinery.

A delivery needs none of what Flask builds for a page: no session, no login, no CSRF, no rate limit (the
platform's signature admits it), no URL parameters to vet. Under a flash sale that machinery cost more CPU per
delivery than verifying and storing it. `WebhookIntake` wraps `app.wsgi_app`: a sized `POST` to
`/api/webhooks/shopify` or `/api/webhooks/shopify/compliance` is read, handed to `intake.receive_shopify`
inside an app context only (the database engine, the config, Redis), and answered with the same JSON body and
status code the blueprint route sends, with the app's security headers. Anything else, and every request this
path does not fully understand (a chunked or unsized body, a declared size over the limit, another method or
path), goes to Flask unchanged, so every error case keeps its one answer. An exception is rendered by the app's
own error handlers in a request context, as Flask would have.

Must not parse, store or verify anything itself: `intake` owns all of that, for both paths.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.wsgi import get_input_stream

from app import security_headers
from app.webhooks import intake

PATHS = frozenset(("/api/webhooks/shopify", "/api/webhooks/shopify/compliance"))
# The app's security headers, and the `Vary: Cookie` Flask's session machinery adds to every response it
# handles (kept so a response is the same byte for byte whichever path served it).
_HEADERS = [*security_headers.HEADERS.items(), ("Vary", "Cookie")]


class _Headers:
    """The request headers `intake` reads, straight from the WSGI environ (case-insensitive like Werkzeug's)."""

    __slots__ = ("_environ",)

    def __init__(self, environ: dict):
        self._environ = environ

    def get(self, name: str, default=None):
        return self._environ.get("HTTP_" + name.upper().replace("-", "_"), default)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value


class WebhookIntake:
    """WSGI middleware for `app.wsgi_app`; `before` runs first on each delivery (the embedded worker's start)."""

    def __init__(self, app: Flask, wsgi_app, before=None):
        self.app = app
        self.wsgi_app = wsgi_app
        self.before = before
        self._answers: dict[str, tuple[str, tuple, bytes]] = {}

    def __call__(self, environ: dict, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") not in PATHS:
            return self.wsgi_app(environ, start_response)
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        declared = environ.get("CONTENT_LENGTH", "")
        if not declared.isdigit() or (limit is not None and int(declared) > limit):
            return self.wsgi_app(environ, start_response)  # unsized, chunked, malformed or too large
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            try:
                if self.before is not None:
                    self.before()
                raw = get_input_stream(environ, max_content_length=limit).read()
                result = intake.receive_shopify(raw, _Headers(environ))
            except Exception as exc:  # what Flask would answer: the app's handlers, in a request context
                return self._flask_error(environ, start_response, exc)
        if result.status_code == 200 and len(result.body) == 1 and "status" in result.body:
            # The common answers ("accepted", "duplicate", ...): built once, then sent as they were.
            answer = self._answers.get(result.body["status"])
            if answer is None:
                answer = self._answers.setdefault(result.body["status"], self._answer(environ, result))
            status, headers, body = answer
            start_response(status, list(headers))
            return [body]
        return self._response(result)(environ, start_response)

    def _response(self, result: intake.IntakeResult):
        response = self.app.json.response(result.body)  # jsonify's body, byte for byte
        response.status_code = result.status_code
        for name, value in _HEADERS:
            response.headers[name] = value
        return response

    def _answer(self, environ: dict, result: intake.IntakeResult) -> tuple[str, tuple, bytes]:
        response = self._response(result)
        return response.status, tuple(response.get_wsgi_headers(environ).to_wsgi_list()), response.get_data()

    def _flask_error(self, environ: dict, start_response, exc: Exception):
        app = self.app
        with app.request_context(environ):
            try:
                response = app.make_response(app.handle_user_exception(exc))
            except Exception as unhandled:
                response = app.make_response(app.handle_exception(unhandled))
            response = app.process_response(response)
            response.vary.add("Cookie")
            return response(environ, start_response)


def mount(app: Flask, before=None) -> None:
    app.wsgi_app = WebhookIntake(app, app.wsgi_app, before)
