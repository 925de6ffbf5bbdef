"""A store's locations over the JSON API, and the merchant's choice of those the channels sell from.

`GET /api/locations` (optionally `?integration=<id>`), `GET /api/locations/<id>`, and
`PATCH /api/locations/<id>` with `{"sell_from": true | false | null}` (null: back to the default rule, a
location that is active and fulfils online orders). The change recounts stock at once and is written to the
audit log (`app.services.locations`). Another workspace's location is a 404.
"""

from __future__ import annotations

from flask import jsonify, request

from app.api import bp, json_body
from app.api.openapi import documented
from app.auth_scope import current_scope
from app.params import parse_id
from app.services import locations as service


@bp.get("/locations")
@documented("List the stores' locations and which ones the channels sell from", query="LocationListQuery",
            response="LocationList")  # fmt: skip
def list_locations():
    integration_id = parse_id(request.args.get("integration"), "integration")
    rows = service.store_locations(current_scope(), integration_id)
    return jsonify({"locations": [row.as_dict() for row in rows]})


@bp.get("/locations/<int:location_id>")
@documented("Read a location", response="Location")
def get_location(location_id: int):
    return jsonify(service.get_location(current_scope(), location_id).as_dict())


@bp.patch("/locations/<int:location_id>")
@documented(
    "Choose whether the channels sell this location's stock", body="LocationPatch", response="Location"
)
def patch_location(location_id: int):
    scope = current_scope()
    service.get_location(scope, location_id)  # 404 before reading the body
    choice = service.parse_choice(json_body())
    row, _ = service.set_sell_from(scope, location_id, choice)
    return jsonify(row.as_dict())
