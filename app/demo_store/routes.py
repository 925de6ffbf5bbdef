"""HTTP face of the demo store: a blueprint factory and a standalone app.

Everything lives under ``/demo-store/<shop>/`` so ``SHOPIFY_API_BASE=http://host/demo-store/{shop}`` points
the app's Shopify client at it: Admin GraphQL, the OAuth consent and token endpoints, bulk result downloads
and generated product images. Thin routes: the store and `graphql_api` do the work.
"""

from __future__ import annotations

import json
import struct
import zlib
from functools import lru_cache

from flask import Blueprint, Flask, Response, jsonify, redirect, request, stream_with_context

from app.demo_store.graphql_api import Context, execute_request
from app.demo_store.tokens import INVALID_TOKEN_BODY

PALETTE = [(0x25, 0x63, 0xEB), (0x16, 0xA3, 0x4A), (0xDC, 0x26, 0x26), (0xD9, 0x77, 0x06), (0x7C, 0x3A, 0xED),
           (0x0E, 0xA5, 0xE9)]  # fmt: skip


def create_blueprint(store, name: str = "demo_store") -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix="/demo-store")

    @bp.post("/<shop>/admin/api/<version>/graphql.json")
    def graphql_endpoint(shop: str, version: str):
        if not store.token_valid(shop, request.headers.get("X-Shopify-Access-Token")):
            return jsonify(INVALID_TOKEN_BODY), 401
        if request.mimetype == "application/graphql":
            payload = {"query": request.get_data(as_text=True)}
        else:
            payload = request.get_json(silent=True) or {}
        ctx = Context(store=store, shop=shop, base_url=f"{request.url_root.rstrip('/')}/demo-store/{shop}")
        outcome = execute_request(ctx, payload)
        # Not jsonify: it sorts keys, and Shopify answers in selection order.
        response = Response(json.dumps(outcome.body), status=outcome.status, mimetype="application/json")
        response.headers.update(outcome.headers)
        # One schema is served whatever version is asked for; the header says which, as Shopify's does.
        response.headers["X-Shopify-API-Version"] = store.api_version
        return response

    @bp.get("/<shop>/admin/oauth/authorize")
    def authorize(shop: str):
        # The consent screen approves at once: the demo has one merchant, who always says yes.
        status, target = store.authorize_redirect(shop, request.args.to_dict())
        if status != 302:
            return Response(target, status=status, mimetype="text/plain")
        return redirect(target, code=302)

    @bp.post("/<shop>/admin/oauth/access_token")
    def access_token(shop: str):
        form = request.get_json(silent=True) if request.is_json else request.form.to_dict()
        status, body = store.token_request(shop, form or {})
        return jsonify(body), status

    @bp.get("/<shop>/bulk/<int:op_id>.jsonl")
    def bulk_download(shop: str, op_id: int):
        path = store.bulk_path(shop, op_id)
        if not path.exists():
            return Response("Not Found", status=404, mimetype="text/plain")

        def chunks():
            with path.open("rb") as fh:
                while block := fh.read(64 * 1024):
                    yield block

        return Response(stream_with_context(chunks()), mimetype="application/jsonl",
                        headers={"Content-Length": str(path.stat().st_size)})  # fmt: skip

    @bp.get("/<shop>/cdn/<int:n>.png")
    def image(shop: str, n: int):
        response = Response(_png(n % len(PALETTE)), mimetype="image/png")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    return bp


def create_standalone_app(store) -> Flask:
    """The demo store alone, for benchmarks and browser tests run against a separate server."""
    app = Flask("demo_store")
    app.register_blueprint(create_blueprint(store))
    app.extensions["demo_store"] = store

    @app.get("/")
    def index():
        return jsonify({"demo_store": True, "graphql": "/demo-store/<shop>/admin/api/<version>/graphql.json"})

    return app


@lru_cache(maxsize=len(PALETTE))
def _png(color: int, size: int = 800) -> bytes:
    """A plain square PNG (Meta's catalog wants JPEG or PNG of at least 500 px), made with the stdlib."""
    r, g, b = PALETTE[color]
    row = b"\x00" + bytes((r, g, b)) * size
    raw = zlib.compress(row * size, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
