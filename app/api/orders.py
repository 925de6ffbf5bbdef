"""Orders over the JSON API: list (filters platform, status, date range; keyset cursor), create, read,
update (PATCH: customer fields, notes, status through the inventory rules), delete (local drafts / cancelled).

Thin: parse, call `app.services.orders` (shared with the Orders page) and `order_records`, answer JSON.
Money is a string, timestamps ISO 8601 UTC. Another workspace's order is a 404. Commit and cancel with stock
effects also exist as `POST /api/orders/<id>/commit|cancel` (inventory API).
"""

from __future__ import annotations

from flask import jsonify, request, url_for

from app.api import api_error, bp, json_body
from app.api.openapi import documented
from app.api.products import iso, money
from app.auth_scope import current_scope
from app.models.orders import SOURCE_PLATFORMS
from app.params import BadParameter, parse_limit
from app.services import keyset, order_records
from app.services import orders as order_service
from app.services.products import ProductValidationError

CREATE_FIELDS = {"source_platform", "status", "currency", "external_id", "number", "items",
                 *order_records.CUSTOMER_FIELDS}  # fmt: skip


def order_json(order, items) -> dict:
    return {
        "id": order.id,
        "number": order.number,
        "source_platform": order.source_platform,
        "external_id": order.external_id,
        "status": order.status,
        "customer": {
            "name": order.customer_name,
            "phone": order.customer_phone,
            "email": order.customer_email,
        },
        "currency": order.currency,
        "subtotal_price": money(order.subtotal_price),
        "total_price": money(order.total_price),
        "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status,
        "conversation_id": order.conversation_id,
        "items": [
            {
                "id": i.id,
                "variant_id": i.variant_id,
                "product_id": i.product_id,
                "sku": i.sku,
                "title": i.title,
                "quantity": i.quantity,
                "unit_price": money(i.unit_price),
                "total_price": money(i.total_price),
            }
            for i in items
        ],
        "cancelled_at": iso(order.cancelled_at),
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
    }


def _one(order):
    return order_json(order, order_records.items_for([order])[order.id])


def _order_or_404(order_id: int):
    return order_service.get_order(current_scope(), order_id)


@bp.get("/orders")
@documented("List orders", query="OrderListQuery", response="OrderList")
def list_orders():
    """Newest first; filters platform, status, date_from, date_to (YYYY-MM-DD); cursor + limit."""
    args = request.args
    filters = order_service.OrderFilters.from_args(args)
    errors = dict(filters.errors)
    if args.get("platform") and args["platform"] not in SOURCE_PLATFORMS:
        errors["platform"] = f"Must be one of: {', '.join(SOURCE_PLATFORMS)}."
    if args.get("status") and args["status"] not in order_service.ORDER_STATUSES:
        errors["status"] = f"Must be one of: {', '.join(order_service.ORDER_STATUSES)}."
    cursor = args.get("cursor") or None
    if cursor and keyset.decode(cursor) is None:
        errors["cursor"] = "Invalid cursor: start again from the first page."
    limit = args.get("limit")
    try:
        limit = parse_limit(limit, "limit", keyset.MAX_PER_PAGE)
    except BadParameter as exc:
        errors["limit"] = exc.description
    if errors:
        return api_error("Invalid query parameters.", 400, fields=errors)
    page = order_service.list_orders(current_scope(), filters, cursor, limit)
    items = order_records.items_for(page.rows)
    return jsonify(
        {"orders": [order_json(o, items[o.id]) for o in page.rows], "next_cursor": page.next_cursor}
    )


@bp.post("/orders")
@documented("Create an order", body="OrderInput", response="Order", status=201)
def create_order():
    """A local order (agent, WhatsApp, Facebook); hold stock for it with POST /api/reservations."""
    data = json_body()
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        return api_error("Unknown fields.", 400, fields={name: "Unknown field." for name in unknown})
    try:
        order = order_records.create_order(current_scope(), data)
    except ProductValidationError as exc:
        return api_error("Some fields are invalid.", 422, fields=exc.fields)
    return jsonify(_one(order)), 201, {"Location": url_for("api.get_order", order_id=order.id)}


@bp.get("/orders/<int:order_id>")
@documented("Read an order", response="Order")
def get_order(order_id: int):
    order = _order_or_404(order_id)
    if order is None:
        return api_error("Order not found.", 404)
    return jsonify(_one(order))


@bp.patch("/orders/<int:order_id>")
@documented("Update an order", body="OrderPatch", response="Order")
def update_order(order_id: int):
    order = _order_or_404(order_id)
    if order is None:
        return api_error("Order not found.", 404)
    data = json_body()
    try:
        order_records.update_order(order, data)
    except ProductValidationError as exc:
        return api_error("Some fields are invalid.", 422, fields=exc.fields)
    return jsonify(_one(order))


@bp.delete("/orders/<int:order_id>")
@documented("Delete a draft or cancelled local order", status=204)
def delete_order(order_id: int):
    order = _order_or_404(order_id)
    if order is None:
        return api_error("Order not found.", 404)
    order_records.delete_order(order)
    return "", 204
