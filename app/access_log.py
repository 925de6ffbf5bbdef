"""Secrets out of the access logs: query-string values that are credentials are written as `[redacted]`.

Meta's webhook handshake carries `hub.verify_token` in the URL, Shopify's OAuth callback `code`, `state` and
`hmac`; an access log line holds the full URL (and the Referer), and so would keep them. One redaction, two
writers: gunicorn's access log (the Procfile's `web`, through `gunicorn.conf.py`) and the Werkzeug server's
request log (`flask demo`, `flask run`). Nested, percent-encoded queries (`/login?next=%2F...%3Fcode%3D...`)
are redacted too. Nothing here changes what the app sees.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as _GunicornLogger

SECRET_PARAMS = (
    "hub.verify_token", "hub.challenge", "code", "state", "hmac", "token", "signature", "access_token",
    "refresh_token", "id_token", "client_secret", "password",
)  # fmt: skip
REDACTED = "[redacted]"
_NAMES = "|".join(re.escape(name).replace(r"\.", r"(?:\.|%2E)") for name in SECRET_PARAMS)
# A parameter starts the text or follows ? & ; (or their percent-encodings); its value runs to the next
# separator, space, quote or fragment.
_PARAM = re.compile(rf"(^|[?&;]|%3F|%26|%3B)({_NAMES})(=|%3D)((?:(?!%26|%3B)[^&;\s\"#])*)", re.IGNORECASE)


def redact(text: str) -> str:
    if "=" not in text and "%3d" not in text.lower():
        return text  # the common case, a URL without a query: no regex
    return _PARAM.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{REDACTED}" if m[4] else m[0], text)


class RedactingFilter(logging.Filter):
    """For Werkzeug's request log: rewrites the formatted message of a record that holds a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


FILTER = RedactingFilter()


def init_app(app) -> None:
    # Werkzeug's development server logs each request line to the "werkzeug" logger. Same object every
    # time, so building several apps in one process adds it once.
    logging.getLogger("werkzeug").addFilter(FILTER)


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with the request line, query string, URI and Referer atoms redacted."""

    URL_ATOMS = ("r", "q", "f", "{referer}i", "{raw_uri}e", "{request_uri}e", "{query_string}e")

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in self.URL_ATOMS:
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
