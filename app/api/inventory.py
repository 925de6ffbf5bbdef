"""Inventory over the JSON API: stock per product, reservations, and committing or cancelling orders.

Thin routes: parse, call `app.inventory` (stock figures and which reservations hold stock follow the one
stock rule of `app.catalog.stock`), answer JSON. Rows are read through the workspace scope, so another
workspace's product or order is a 404. Inventory errors (`AppError`s) are answered by `app.errors` as
`{"error": ..., <details>}` with their 404/409/422.
"""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify

from app.api import api_error, bp, json_body
from app.auth_scope import current_scope
from app.catalog.stock import holds_stock
from app.inventory import InventoryError, cancel, commit, reserve, stock_levels
from app.inventory.service import DEFAULT_TTL, MAX_TTL, CommitResult
from app.models import Order, Product, ProductVariant, Reservation


def _iso(value):
    return value.isoformat() if value else None


def _reservation_json(reservation: Reservation) -> dict:
    return {
        "id": reservation.id,
        "variant_id": reservation.variant_id,
        "order_id": reservation.order_id,
        "quantity": reservation.quantity,
        "status": reservation.status,
        "expires_at": _iso(reservation.expires_at),
        "created_at": _iso(reservation.created_at),
    }


@bp.get("/products/<int:product_id>/inventory")
def product_inventory(product_id: int):
    scope = current_scope()
    product = scope.get(Product, product_id)
    if product is None or product.deleted_at is not None:
        return api_error("Product not found.", 404)
    variants = scope.all(ProductVariant, ProductVariant.product_id == product.id)
    variants.sort(key=lambda v: (v.position, v.id))
    levels = stock_levels(scope, [v.id for v in variants])
    held = scope.all(Reservation, Reservation.variant_id.in_([v.id for v in variants]), *holds_stock())
    return jsonify(
        {
            "product_id": product.id,
            "title": product.title,
            "variants": [
                {"id": v.id, "title": v.title, "sku": v.sku, **levels[v.id].as_dict()} for v in variants
            ],
            "reservations": [_reservation_json(r) for r in sorted(held, key=lambda r: r.id)],
        }
    )


class _Unprocessable(InventoryError):
    status = 422


def _int_field(data: dict, name: str, *, required: bool = True):
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Unprocessable(f"'{name}' must be an integer.", field=name)
    if not -(2**31) <= value < 2**31:  # past the database's INTEGER: no such row, and no sensible amount
        raise _Unprocessable(f"'{name}' is out of range.", field=name)
    return value


@bp.post("/reservations")
def create_reservation():
    """Body: `{"variant_id": 1, "quantity": 2, "order_id": 3?, "ttl_seconds": 900?}`."""
    scope = current_scope()
    data = json_body()
    variant_id = _int_field(data, "variant_id")
    quantity = _int_field(data, "quantity")
    order_id = _int_field(data, "order_id", required=False)
    ttl_seconds = _int_field(data, "ttl_seconds", required=False)
    ttl = DEFAULT_TTL if ttl_seconds is None else timedelta(seconds=ttl_seconds)
    if not timedelta(minutes=1) <= ttl <= MAX_TTL:
        raise _Unprocessable("'ttl_seconds' must be between 60 and 86400.", field="ttl_seconds")
    reservation = reserve(scope, variant_id, quantity, order_id=order_id, ttl=ttl)
    level = stock_levels(scope, [variant_id])[variant_id]
    return jsonify({"reservation": _reservation_json(reservation), "stock": level.as_dict()}), 201


def _order_result(result: CommitResult):
    return jsonify(
        {
            "order": {"id": result.order_id, "status": result.status},
            "changed": result.changed,
            "adjustments": [
                {
                    "id": a.id,
                    "variant_id": a.variant_id,
                    "reason": a.reason,
                    "delta": a.delta,
                    "status": a.status,
                    "idempotency_key": a.idempotency_key,
                }
                for a in result.adjustments
            ],
        }
    )


def _scoped_order(order_id: int) -> Order | None:
    return current_scope().get(Order, order_id)


@bp.post("/orders/<int:order_id>/commit")
def commit_order(order_id: int):
    order = _scoped_order(order_id)
    if order is None:
        return api_error("Order not found.", 404)
    return _order_result(commit(order))


@bp.post("/orders/<int:order_id>/cancel")
def cancel_order(order_id: int):
    order = _scoped_order(order_id)
    if order is None:
        return api_error("Order not found.", 404)
    return _order_result(cancel(order))
