"""The one shape of a JSON error: `{"error": sentence, ...fields}` with its status.

Used by `app.errors` (every `AppError` and HTTP error on /api) and by `app.api` for the refusals a route
decides itself. Imports nothing of ours, so both can use it without importing each other.
"""

from __future__ import annotations

from flask import jsonify


def json_error(message: str, status: int, **extra):
    """`{"error": message, **extra}`; a bad-field answer also names its (first) field as `parameter`."""
    if "parameter" not in extra and (extra.get("fields") or extra.get("field")):
        extra["parameter"] = extra.get("field") or next(iter(extra["fields"]))
    response = jsonify({"error": message, **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
