"""MAX_CONTENT_LENGTH for request bodies that come without a Content-Length (`Transfer-Encoding: chunked`).

Werkzeug checks a declared Content-Length against the limit, but a chunked body (which gunicorn and the
development server de-chunk and mark `wsgi.input_terminated`) is only cut at the limit: `get_data()` returns
the first MAX_CONTENT_LENGTH bytes as if they were the whole body. Here, before anything reads the body, an
unsized body is read up to one byte past the limit: over it, the request ends in 413 (JSON under /api, through
`app.errors`); within it, the body is handed on with its real length, as if it had come with Content-Length.

A declared Content-Length over the limit is refused here too, in the same words, before anything is read.
A view may lower the limit for itself (`limit_body(config_key)`): the Meta webhooks take at most what Meta
documents it sends (3 MB), so a larger body, signed or not, is refused before a byte of it is read or hashed.
"""

from __future__ import annotations

import io

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

CHUNK = 64 * 1024


def init_app(app: Flask) -> None:
    # First of the app's hooks: before CSRF or anything else may parse a form from the stream.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_body_size)


def limit_body(config_key: str):
    """Mark a view as taking bodies of at most `app.config[config_key]` bytes (below MAX_CONTENT_LENGTH)."""

    def mark(view):
        view.body_limit_key = config_key
        return view

    return mark


def _check_body_size() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    key = getattr(view, "body_limit_key", None)
    if key is not None:
        request.max_content_length = min(current_app.config[key], current_app.config["MAX_CONTENT_LENGTH"])
    limit = request.max_content_length
    declared = request.content_length
    if limit is not None and declared is not None and declared > limit:
        # Refused before a byte is read, in the same words as an unsized body over the limit.
        raise RequestEntityTooLarge(f"The request body is larger than the limit of {limit} bytes.")
    environ = request.environ
    if environ.get("CONTENT_LENGTH") or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    if not environ.get("wsgi.input_terminated"):
        return  # the server passes the raw chunked stream: Werkzeug reads it as empty, which is safe
    if limit is None:
        return
    raw, parts, size = environ["wsgi.input"], [], 0
    while size <= limit:
        part = raw.read(min(CHUNK, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        raise RequestEntityTooLarge(f"The request body is larger than the limit of {limit} bytes.")
    body = b"".join(parts)
    # From here on the body is an ordinary sized one, as a buffering proxy would have passed it.
    environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
    del environ["wsgi.input_terminated"], environ["HTTP_TRANSFER_ENCODING"]
    for cached in ("content_length", "stream"):  # computed before, from the unsized environ
        request.__dict__.pop(cached, None)
