"""The Graph API face of the demo phone: the three calls the app makes, under `/demo-meta/<version>/`.

`META_GRAPH_BASE=http://host/demo-meta` points the app's WhatsApp client here. Bearer token checked as Meta
does (190 when wrong), an unknown object id answered with Meta's code 100 / subcode 33, errors always in
Meta's `{"error": {...}}` shape. Thin: the `DemoPhone` decides.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request

from app.demo_phone import bodies, templates
from app.demo_phone.phone import WABA_ID, Refused

PAGE_SIZE = 25


def _unknown(object_id: str):
    return jsonify(bodies.error(100, f"Unsupported get request. Object with ID '{object_id}' does not exist, "
                                "cannot be loaded due to missing permissions, or does not support this operation.",
                                kind="GraphMethodException", subcode=33)), 400  # fmt: skip


def create_graph_blueprint(phone, name: str = "demo_meta") -> Blueprint:
    bp = Blueprint(name, __name__, url_prefix="/demo-meta")

    @bp.before_request
    def _token():
        given = request.headers.get("Authorization", "")
        if given != f"Bearer {phone.access_token}":
            message = "Invalid OAuth access token - Cannot parse access token"
            return jsonify(bodies.error(190, message)), 401
        return None

    @bp.get("/<version>/<object_id>")
    def get_object(version: str, object_id: str):
        if not phone.serves(object_id):
            return _unknown(object_id)
        fields = [f for f in (request.args.get("fields") or "id").split(",") if f]
        number = phone.phone_number()
        return jsonify({f: number[f] for f in fields if f in number})

    @bp.post("/<version>/<object_id>/messages")
    def messages(version: str, object_id: str):
        if not phone.serves(object_id):
            return _unknown(object_id)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(
                bodies.error(100, "(#100) Invalid parameter", details="The body is not JSON.")
            ), 400
        if body.get("status") == "read" and body.get("message_id"):
            return jsonify(phone.mark_read(str(body["message_id"])))
        try:
            return jsonify(phone.accept(body))
        except Refused as exc:
            return jsonify(exc.body), exc.status

    @bp.get("/<version>/<waba_id>/message_templates")
    def message_templates(version: str, waba_id: str):
        if waba_id != WABA_ID:
            return _unknown(waba_id)
        listed = templates.listed()
        try:
            start = max(0, int(request.args.get("after") or 0))
            size = min(max(1, int(request.args.get("limit") or PAGE_SIZE)), 1000)
        except ValueError:
            return jsonify(bodies.error(100, "(#100) Invalid parameter", details="limit/after")), 400
        page = listed[start : start + size]
        paging: dict = {"cursors": {"before": str(start), "after": str(start + len(page))}}
        if start + size < len(listed):
            paging["next"] = f"{request.base_url}?limit={size}&after={start + size}"
        return jsonify({"data": page, "paging": paging})

    return bp


def create_standalone_app(phone) -> Flask:
    """The stand-in Graph API alone (browser tests, benchmarks): `META_GRAPH_BASE=http://host:port/demo-meta`."""
    app = Flask("demo_phone")
    app.register_blueprint(create_graph_blueprint(phone))
    app.extensions["demo_phone"] = phone
    return app
