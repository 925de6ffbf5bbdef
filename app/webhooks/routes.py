"""The `webhooks` blueprint: POST /api/webhooks/shopify|shopify/compliance|whatsapp|facebook and Meta's GET handshake.

Authenticated by the platforms' signatures over the raw body, not by API tokens or cookies, so it is a blueprint
of its own (outside the `api` bearer check) and CSRF-exempt. Thin: read the raw bytes, hand them to `intake`,
send what it answers. No parsing, storing or processing here. A sized Shopify POST is normally answered
before Flask by `wsgi_intake` (same `intake` call, same answer); the Shopify routes here serve the rest
(chunked or oversized bodies) and keep `url_for` and the route map complete.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from app.body_limit import limit_body
from app.webhooks import intake

bp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")


def _send(result: intake.IntakeResult):
    response = jsonify(result.body)
    response.status_code = result.status_code
    return response


@bp.post("/shopify")
@bp.post("/shopify/compliance")
def shopify():
    # get_data() raises 413 (rendered as JSON by app.errors) past MAX_CONTENT_LENGTH.
    return _send(intake.receive_shopify(request.get_data(cache=False), request.headers))


@bp.post("/<any(whatsapp, facebook):platform>")
@limit_body("META_WEBHOOK_MAX_CONTENT_LENGTH")
def meta(platform: str):
    return _send(intake.receive_meta(platform, request.get_data(cache=False), request.headers))


@bp.get("/<any(whatsapp, facebook):platform>")
def meta_handshake(platform: str):
    challenge = intake.meta_handshake(platform, request.args)
    if challenge is None:
        return jsonify({"error": "Verification token mismatch."}), 403
    return Response(challenge, status=200, mimetype="text/plain")
