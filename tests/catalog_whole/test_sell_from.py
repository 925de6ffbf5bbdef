"""The merchant's choice of sell-from locations: over the API, stock changes at once on every surface (the
stock figures, the products API, the agent tools, reservations), each change is in the audit log, and a bad
body or another workspace's location is a clear 4xx."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import agent_tools
from agent_tools import ToolContext
from app.inventory import OutOfStock, reserve, stock_levels
from app.models import Location, SyncLog
from app.models.scoping import WorkspaceScope
from tests.catalog_whole import seed


@pytest.fixture
def whole(db, workspace):
    return seed.store(workspace)


def _available(workspace, variant) -> int:
    return stock_levels(workspace.id, [variant.id])[variant.id].available


def _tool_available(workspace, variant) -> int:
    answer = agent_tools.call("check_availability", {"variant_id": variant.id, "sku": None, "quantity": 1},
                              ToolContext(workspace.id))  # fmt: skip
    return answer["available"]


def test_the_default_sells_the_locations_that_fulfil_online_orders(api_client, whole):
    listed = api_client.get("/api/locations").get_json()["locations"]
    by_name = {row["name"]: row for row in listed}
    assert {n: (r["sells"], r["sell_from"], r["default"]) for n, r in by_name.items()} == {
        "Lisbon warehouse": (True, None, True), "Porto store": (True, None, True), "Showroom": (False, None, False),
    }  # fmt: skip
    assert by_name["Lisbon warehouse"]["stock"] == {
        "variants": 2,
        "on_hand": 8,
        "available": 6,
        "committed": 2,
    }
    one = api_client.get(f"/api/locations/{whole.locations['store'].id}").get_json()
    assert one["name"] == "Porto store" and one["integration_id"] == whole.integration.id
    assert (
        api_client.get(f"/api/locations?integration={whole.integration.id}").get_json()["locations"] == listed
    )


def test_a_choice_changes_stock_on_every_surface_at_once_and_is_audited(db, api_client, workspace, whole):
    shirt, coat = whole.products["shirt"], whole.products["coat"]
    first, second = shirt.variants
    assert (
        _available(workspace, first),
        _available(workspace, second),
        _available(workspace, coat.variants[0]),
    ) == (10, 0, 0)

    store_id, showroom_id = whole.locations["store"].id, whole.locations["showroom"].id
    answer = api_client.patch(f"/api/locations/{store_id}", json={"sell_from": False})
    assert (
        answer.status_code == 200
        and answer.get_json()["sells"] is False
        and answer.get_json()["sell_from"] is False
    )
    assert _available(workspace, first) == 4
    assert _tool_available(workspace, first) == 4
    inventory = api_client.get(f"/api/products/{shirt.id}/inventory").get_json()
    assert inventory["variants"][0]["available"] == 4
    with pytest.raises(OutOfStock):
        reserve(WorkspaceScope(workspace.id), first.id, 5)
    assert reserve(WorkspaceScope(workspace.id), first.id, 4).quantity == 4

    assert (
        api_client.patch(f"/api/locations/{showroom_id}", json={"sell_from": True}).get_json()["sells"]
        is True
    )
    assert (_available(workspace, second), _tool_available(workspace, coat.variants[0])) == (3, 5)
    in_stock = {p["title"] for p in api_client.get("/api/products?stock=in").get_json()["products"]}
    assert in_stock == {"Linen shirt", "Wool coat", "Canvas tote"}

    log = db.session.scalars(
        select(SyncLog).where(SyncLog.entity_type == "location").order_by(SyncLog.id)
    ).all()
    assert [(row.entity_id, row.action, row.status) for row in log] == [
        (whole.locations["store"].shopify_location_id, "update", "success"),
        (whole.locations["showroom"].shopify_location_id, "update", "success"),
    ]
    assert "Porto store" in log[0].error_message and "default → off" in log[0].error_message
    # The same choice again changes nothing and logs nothing; null goes back to the default rule.
    api_client.patch(f"/api/locations/{showroom_id}", json={"sell_from": True})
    assert db.session.query(SyncLog).filter(SyncLog.entity_type == "location").count() == 2
    back = api_client.patch(f"/api/locations/{store_id}", json={"sell_from": None}).get_json()
    assert back["sell_from"] is None and back["sells"] is True
    assert _available(workspace, first) == 6  # 10 on hand again, 4 held by the reservation


@pytest.mark.parametrize(
    "body",
    [{}, {"sell_from": "yes"}, {"sell_from": 1}, {"sell_from": True, "name": "x"}, {"sell_from": [True]}, []],
)
def test_a_bad_body_is_a_400_naming_the_parameter(api_client, whole, body):
    answer = api_client.patch(f"/api/locations/{whole.locations['store'].id}", json=body)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"] and answer.get_json()["parameter"]


def test_a_non_json_body_and_bad_ids_are_clear_4xx(api_client, whole):
    target = f"/api/locations/{whole.locations['store'].id}"
    assert api_client.patch(target, data="sell_from=1").status_code == 415
    assert api_client.patch("/api/locations/99999999", json={"sell_from": True}).status_code == 404
    assert api_client.get("/api/locations/99999999999").status_code in (400, 404)
    bad = api_client.get("/api/locations?integration=abc")
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "integration"


def test_another_workspaces_location_is_not_found_and_unchanged(db, api_client, make_user, whole):
    stranger = make_user().workspace
    theirs = seed.shop(stranger, "their-store.myshopify.com")
    location = Location(workspace_id=stranger.id, integration_id=theirs.id, name="Theirs",
                        shopify_location_id="gid://shopify/Location/1")  # fmt: skip
    db.session.add(location)
    db.session.commit()
    assert api_client.get(f"/api/locations/{location.id}").status_code == 404
    assert api_client.patch(f"/api/locations/{location.id}", json={"sell_from": False}).status_code == 404
    assert db.session.get(Location, location.id, populate_existing=True).sell_from is None
    assert "Theirs" not in {row["name"] for row in api_client.get("/api/locations").get_json()["locations"]}


def test_the_location_routes_are_in_the_openapi_document(client):
    document = client.get("/api/openapi.json").get_json()
    assert {"get"} <= set(document["paths"]["/api/locations"])
    assert {"get", "patch"} <= set(document["paths"]["/api/locations/{location_id}"])
    patch = document["paths"]["/api/locations/{location_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LocationPatch"
    }
    query = {p["name"] for p in document["paths"]["/api/products"]["get"]["parameters"]}
    assert {"collection", "location"} <= query
