"""`/api/products`: list with filters and cursor, create, read, PATCH, delete; validation; isolation; bulk."""

from __future__ import annotations

import re

from app.extensions import db as _db
from app.models import Product

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def test_create_read_update_delete(api_client):
    created = api_client.post("/api/products", json={"title": "Clay Mug", "price": "12.5", "sku": "MUG-1",
                                                     "inventory_quantity": 3, "tags": ["kitchen", "clay"],
                                                     "currency": "EUR"})  # fmt: skip
    assert created.status_code == 201, created.json
    body = created.json
    assert created.headers["Location"].endswith(f"/api/products/{body['id']}")
    assert body["price_min"] == "12.50" and body["variants"][0]["price"] == "12.50"
    assert body["tags"] == ["kitchen", "clay"] and body["stock"] == {
        "on_hand": 3,
        "reserved": 0,
        "available": 3,
    }
    assert ISO_UTC.match(body["created_at"]) and ISO_UTC.match(body["updated_at"])

    read = api_client.get(f"/api/products/{body['id']}")
    assert read.status_code == 200 and read.json["title"] == "Clay Mug"

    patched = api_client.patch(
        f"/api/products/{body['id']}", json={"title": "Big Mug", "price": 14, "status": "draft"}
    )
    assert (
        patched.status_code == 200
        and patched.json["title"] == "Big Mug"
        and patched.json["price_max"] == "14.00"
    )

    assert api_client.delete(f"/api/products/{body['id']}").status_code == 204
    assert api_client.get(f"/api/products/{body['id']}").status_code == 404
    assert _db.session.get(Product, body["id"]).deleted_at is not None


def test_create_with_variants(api_client):
    response = api_client.post(
        "/api/products",
        json={
            "title": "Tee",
            "variants": [
                {"title": "S", "price": "10.00", "sku": "T-S"},
                {"title": "M", "price": "12.00", "inventory_quantity": 2},
            ],
        },
    )
    assert response.status_code == 201
    assert (response.json["price_min"], response.json["price_max"]) == ("10.00", "12.00")
    assert [v["title"] for v in response.json["variants"]] == ["S", "M"]


def test_validation_errors_name_each_field(api_client):
    bad = api_client.post("/api/products", json={"title": "", "price": "1.999", "status": "sold",
                                                 "inventory_quantity": -1, "currency": "euro"})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json["error"] and set(bad.json["fields"]) == {"title", "price", "status", "inventory_quantity",
                                                             "currency"}  # fmt: skip
    unknown = api_client.post("/api/products", json={"title": "x", "price": 1, "colour": "red"})
    assert unknown.status_code == 400 and unknown.json["fields"] == {"colour": "Unknown field."}
    not_json = api_client.post("/api/products", data="title=x")
    assert not_json.status_code == 415 and "error" in not_json.json
    array = api_client.post("/api/products", json=[1, 2])
    assert array.status_code == 400 and "error" in array.json


def test_patch_price_of_a_multi_variant_product_is_refused(api_client, workspace, make_product):
    product = make_product(workspace, "Tee", variants=2)
    response = api_client.patch(f"/api/products/{product.id}", json={"price": "3.00"})
    assert response.status_code == 422 and "price" in response.json["fields"]


def test_list_filters_sort_and_cursor(api_client, workspace, make_product):
    for i in range(5):
        make_product(workspace, f"Item {i}", price=f"{i + 1}.00", status="draft" if i == 4 else "active")
    first = api_client.get("/api/products?sort=price&limit=2")
    assert first.status_code == 200
    assert [p["title"] for p in first.json["products"]] == ["Item 0", "Item 1"] and first.json["next_cursor"]
    second = api_client.get(f"/api/products?sort=price&limit=2&cursor={first.json['next_cursor']}")
    assert [p["title"] for p in second.json["products"]] == ["Item 2", "Item 3"]
    assert [p["title"] for p in api_client.get("/api/products?status=draft").json["products"]] == ["Item 4"]
    found = [
        p["title"] for p in api_client.get("/api/products", query_string={"q": "item 3"}).json["products"]
    ]
    assert "Item 3" in found and "Item 0" not in found
    bad = api_client.get("/api/products?sort=colour&stock=maybe")
    assert bad.status_code == 400 and set(bad.json["fields"]) == {"sort", "stock"}


def test_another_workspace_gets_404(api_client, other_workspace, make_product):
    product = make_product(other_workspace, "Secret")
    assert api_client.get(f"/api/products/{product.id}").status_code == 404
    assert api_client.patch(f"/api/products/{product.id}", json={"title": "Mine"}).status_code == 404
    assert api_client.delete(f"/api/products/{product.id}").status_code == 404
    assert api_client.get("/api/products").json["products"] == []
    _db.session.refresh(product)
    assert product.title == "Secret" and product.deleted_at is None


def test_category_must_belong_to_the_workspace(api_client, other_workspace, make_category):
    theirs = make_category(other_workspace, "Theirs")
    response = api_client.post("/api/products", json={"title": "x", "price": 1, "category_id": theirs.id})
    assert response.status_code == 422 and "category_id" in response.json["fields"]


def test_bulk_action_over_the_api_progresses_to_done(api_client, workspace, make_product, run_jobs):
    ids = [make_product(workspace, f"P{i}").id for i in range(3)]
    started = api_client.post(
        "/api/products/bulk", json={"action": "status", "status": "archived", "ids": ids}
    )
    assert started.status_code == 202 and started.json["status"] == "queued" and started.json["total"] == 3
    run_jobs()
    progress = api_client.get(started.json["status_url"]).json
    assert (progress["status"], progress["done"], progress["percent"]) == ("done", 3, 100)
    bad = api_client.post("/api/products/bulk", json={"action": "explode", "ids": ids})
    assert bad.status_code == 422 and "action" in bad.json["fields"]
    assert api_client.get("/api/products/bulk/unknown").status_code == 404


def test_needs_a_token(client):
    assert client.get("/api/products").status_code == 401
