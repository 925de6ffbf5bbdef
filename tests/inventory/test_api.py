"""The inventory JSON API: bearer auth, workspace isolation (404), and errors as {"error": ...}."""

from __future__ import annotations

import pytest

from app.inventory import reserve
from app.models import Order


def test_endpoints_need_a_token(client, workspace, make_variant):
    variant = make_variant(workspace)
    assert client.get(f"/api/products/{variant.product_id}/inventory").status_code == 401
    response = client.post("/api/reservations", json={"variant_id": variant.id, "quantity": 1})
    assert response.status_code == 401
    assert "error" in response.get_json()
    assert client.post("/api/orders/1/commit").status_code == 401


def test_product_inventory_shows_on_hand_reserved_available(api_client, workspace, make_variant):
    variant = make_variant(workspace, quantity=8)
    held = reserve(workspace.id, variant.id, 3)
    body = api_client.get(f"/api/products/{variant.product_id}/inventory").get_json()
    assert body["variants"] == [
        {"id": variant.id, "title": "Default Title", "sku": variant.sku, "variant_id": variant.id,
         "on_hand": 8, "reserved": 3, "available": 5, "in_stock": True}
    ]  # fmt: skip
    assert [r["id"] for r in body["reservations"]] == [held.id]


def test_other_workspaces_rows_are_404(api_client, make_user, make_variant, make_order):
    other = make_user().workspace
    variant = make_variant(other, quantity=5)
    order = make_order(other)
    assert api_client.get(f"/api/products/{variant.product_id}/inventory").status_code == 404
    response = api_client.post("/api/reservations", json={"variant_id": variant.id, "quantity": 1})
    assert response.status_code == 404 and "not found" in response.get_json()["error"]
    assert api_client.post(f"/api/orders/{order.id}/commit").status_code == 404
    assert api_client.post(f"/api/orders/{order.id}/cancel").status_code == 404
    assert api_client.post("/api/reservations", json={"variant_id": variant.id, "quantity": 1,
                                                      "order_id": order.id}).status_code == 404  # fmt: skip


def test_reserve_commit_and_cancel_through_the_api(db, api_client, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=4)
    order = make_order(workspace)
    response = api_client.post(
        "/api/reservations", json={"variant_id": variant.id, "quantity": 3, "order_id": order.id}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["reservation"]["status"] == "active" and body["stock"]["available"] == 1

    committed = api_client.post(f"/api/orders/{order.id}/commit")
    assert committed.status_code == 200
    assert committed.get_json()["order"] == {"id": order.id, "status": "committed"}
    again = api_client.post(f"/api/orders/{order.id}/commit").get_json()
    assert again["changed"] is False and len(again["adjustments"]) == 1

    cancelled = api_client.post(f"/api/orders/{order.id}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["order"]["status"] == "cancelled"
    assert db.session.get(Order, order.id).status == "cancelled"
    stock = api_client.get(f"/api/products/{variant.product_id}/inventory").get_json()["variants"][0]
    assert stock["on_hand"] == 4 and stock["available"] == 4


def test_out_of_stock_is_409_with_what_is_left(api_client, workspace, make_variant):
    variant = make_variant(workspace, quantity=2)
    response = api_client.post("/api/reservations", json={"variant_id": variant.id, "quantity": 3})
    assert response.status_code == 409
    body = response.get_json()
    assert body["available"] == 2 and body["requested"] == 3 and "Only 2 left" in body["error"]


@pytest.mark.parametrize(
    "payload",
    [
        {"quantity": 0},
        {"quantity": -2},
        {"quantity": "3"},
        {"quantity": 1.5},
        {"quantity": None},
        {"quantity": 1, "ttl_seconds": 5},
        {"quantity": 1, "variant_id": "abc"},
    ],
)
def test_bad_input_is_422(api_client, workspace, make_variant, payload):
    variant = make_variant(workspace)
    response = api_client.post("/api/reservations", json={"variant_id": variant.id, **payload})
    assert response.status_code == 422
    assert response.get_json()["error"]


def test_non_json_body_is_a_json_error(api_client):
    response = api_client.post("/api/reservations", data="quantity=1")
    assert response.status_code == 415
    assert "error" in response.get_json()


def test_commit_without_held_stock_is_409(api_client, workspace, make_order):
    order = make_order(workspace)
    response = api_client.post(f"/api/orders/{order.id}/commit")
    assert response.status_code == 409 and "no reserved stock" in response.get_json()["error"]
