"""Products over the JSON API: list (same filters, sorting and keyset cursor as the page), create, read,
update (PATCH), soft delete, and bulk actions with progress.

Thin: parse JSON, call `app.services.products` / `bulk_jobs`, answer JSON. Money is a string ("19.90"),
timestamps ISO 8601 UTC. Bad input: 400 (malformed request) or 422 (invalid values) with `{"error", "fields"}`.
Another workspace's product is a 404 (workspace scope).
"""

from __future__ import annotations

from flask import jsonify, request, url_for

from app.api import api_error, bp, json_body
from app.api.openapi import documented
from app.auth_scope import current_scope
from app.services import bulk_jobs
from app.services import products as service

PRODUCT_FIELDS = {*service.EDITABLE, "price", "sku", "inventory_quantity", "compare_at_price", "currency",
                  "variants", "variant_title"}  # fmt: skip
PATCH_FIELDS = {*service.EDITABLE, "price"}


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def product_json(product, stock: dict | None = None) -> dict:
    return {
        "id": product.id,
        "title": product.title,
        "handle": product.handle,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "status": product.status,
        "tags": [t.strip() for t in (product.tags or "").split(",") if t.strip()],
        "description_html": product.description_html,
        "category": {"id": product.category.id, "name": product.category.name} if product.category else None,
        "price_min": money(product.price_min),
        "price_max": money(product.price_max),
        "currency": product.currency,
        "images": product.images or [],
        "shopify_product_id": product.shopify_product_id,
        "platform_sync": product.platform_sync or {},
        "stock": stock or {"on_hand": 0, "reserved": 0, "available": 0},
        "variants": [
            {
                "id": v.id,
                "title": v.title,
                "sku": v.sku,
                "position": v.position,
                "price": money(v.price),
                "compare_at_price": money(v.compare_at_price),
                "inventory_quantity": v.inventory_quantity,
                "option_values": v.option_values or [],
            }
            for v in product.variants
        ],
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
    }


def _one(product):
    stock = service.product_stock(current_scope(), [product])
    return product_json(product, stock.get(product.id))


def _invalid(exc):
    return api_error("Some fields are invalid.", 422, fields=exc.fields)


def _unknown_fields(data: dict, allowed: set[str]):
    unknown = sorted(set(data) - allowed)
    if unknown:
        return api_error("Unknown fields.", 400, fields={name: "Unknown field." for name in unknown})
    return None


def _product_or_404(product_id: int):
    return service.get_product(current_scope(), product_id)


@bp.get("/products")
@documented("List products", query="ProductListQuery", response="ProductList")
def list_products():
    """Filters: q, status, category, platform, stock; sort; cursor + limit (keyset pages)."""
    try:
        params = service.parse_params(request.args)
    except service.ListError as exc:
        return api_error("Invalid query parameters.", 400, fields=exc.fields)
    page = service.list_products(current_scope(), params)
    return jsonify(
        {
            "products": [product_json(p, page.stock.get(p.id)) for p in page.products],
            "next_cursor": page.next_cursor,
        }
    )


@bp.post("/products")
@documented("Create a product", body="ProductInput", response="Product", status=201)
def create_product():
    data = json_body()
    if (bad := _unknown_fields(data, PRODUCT_FIELDS)) is not None:
        return bad
    try:
        product = service.create_product(current_scope(), data)
    except service.ProductValidationError as exc:
        return _invalid(exc)
    return jsonify(_one(product)), 201, {"Location": url_for("api.get_product", product_id=product.id)}


@bp.get("/products/<int:product_id>")
@documented("Read a product", response="Product")
def get_product(product_id: int):
    product = _product_or_404(product_id)
    if product is None:
        return api_error("Product not found.", 404)
    return jsonify(_one(product))


@bp.patch("/products/<int:product_id>")
@documented("Update a product", body="ProductPatch", response="Product")
def update_product(product_id: int):
    product = _product_or_404(product_id)
    if product is None:
        return api_error("Product not found.", 404)
    data = json_body()
    if (bad := _unknown_fields(data, PATCH_FIELDS)) is not None:
        return bad
    try:
        service.update_product(current_scope(), product, data)
    except service.ProductValidationError as exc:
        return _invalid(exc)
    return jsonify(_one(product))


@bp.delete("/products/<int:product_id>")
@documented("Delete a product (soft delete)", status=204)
def delete_product(product_id: int):
    product = _product_or_404(product_id)
    if product is None:
        return api_error("Product not found.", 404)
    service.delete_product(product)
    return "", 204


@bp.post("/products/bulk")
@documented("Start a bulk action on products", body="BulkInput", response="BulkProgress", status=202)
def start_bulk():
    """Runs as a job on the `default` queue; poll the returned `status_url`."""
    data = json_body()
    if (bad := _unknown_fields(data, {"action", "ids", "status"})) is not None:
        return bad
    ids = data.get("ids")
    if not isinstance(ids, list):
        return api_error("Some fields are invalid.", 422, fields={"ids": "Must be a list of product ids."})
    progress = bulk_jobs.start_bulk(
        current_scope(), str(data.get("action") or ""), bulk_jobs.parse_ids(ids), data.get("status")
    )
    status_url = url_for("api.bulk_status", token=progress["id"])
    progress = bulk_jobs.get_progress(current_scope(), progress["id"]) or progress
    return jsonify(_bulk_json(progress) | {"status_url": status_url}), 202, {"Location": status_url}


@bp.get("/products/bulk/<token>")
@documented("Progress of a bulk action", response="BulkProgress")
def bulk_status(token: str):
    progress = bulk_jobs.get_progress(current_scope(), token)
    if progress is None:
        return api_error("Bulk job not found.", 404)
    return jsonify(_bulk_json(progress))


def _bulk_json(progress: dict) -> dict:
    return {
        key: progress.get(key) for key in ("id", "action", "status", "total", "done", "percent", "message")
    }
