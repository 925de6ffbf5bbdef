"""MAX_CONTENT_LENGTH for request bodies that come without a Content-Length (`Transfer-Encoding: chunked`).

Werkzeug checks a declared Content-Length against the limit, but a chunked body (which gunicorn and the
development server de-chunk and mark `wsgi.input_terminated`) is only cut at the limit: `get_data()` returns
the first MAX_CONTENT_LENGTH bytes as if they were the whole body. Here, before anything reads the body, an
unsized body is read up to one byte past the limit: over it, the request ends in 413 (JSON under /api, through
`app.errors`); within it, the body is handed on with its real length, as if it had come with Content-Length.
"""

from __future__ import annotations

import io

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

CHUNK = 64 * 1024


def init_app(app: Flask) -> None:
    # First of the app's hooks: before CSRF or anything else may parse a form from the stream.
    app.before_request_funcs.setdefault(None, []).insert(0, _size_unsized_body)


def _size_unsized_body() -> None:
    environ = request.environ
    if environ.get("CONTENT_LENGTH") or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return
    if not environ.get("wsgi.input_terminated"):
        return  # the server passes the raw chunked stream: Werkzeug reads it as empty, which is safe
    limit = request.max_content_length
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
