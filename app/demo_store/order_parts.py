"""Fulfillments and refunds of an order as GraphQL objects (`awkward_orders.py` holds the records).

``Order.fulfillments(first:)`` and ``Order.refunds(first:)`` are plain lists in Shopify's schema, not
connections; their ``fulfillmentLineItems`` and ``refundLineItems`` are connections and page like any other.
A refund's amounts are the refunded lines at their variants' current prices (no tax, no shipping).
"""

from __future__ import annotations

from app.demo_store import awkward_orders, catalog, locations
from app.demo_store.nodes import empty_connection, list_connection, money_bag


def fulfillment_line_id(fulfillment_id: int, k: int) -> int:
    return (
        awkward_orders.FULFILLMENT_LINE_BASE + (fulfillment_id - awkward_orders.FULFILLMENT_BASE) * 4096 + k
    )


def refund_line_id(refund_id: int, k: int) -> int:
    return awkward_orders.REFUND_LINE_BASE + (refund_id - awkward_orders.REFUND_BASE) * 4096 + k


def refund_total(refund: dict, lines_by_id: dict) -> float:
    return sum(float(lines_by_id[line][2]["price"]) * qty for line, qty, _restock in refund["lines"])


def fulfillment_node(ctx, order_node_of, f: dict, lines_by_id: dict, line_node) -> dict:
    from app.demo_store.stock_nodes import location_node

    delivered = f["display_status"] == "DELIVERED"
    items = [(k, line, qty) for k, (line, qty) in enumerate(f["lines"])]

    def item_node(entry) -> dict:
        k, line, qty = entry
        _record, _product, variant = lines_by_id[line]
        amount = float(variant["price"]) * qty
        return {
            "__typename": "FulfillmentLineItem",
            "id": catalog.gid("FulfillmentLineItem", fulfillment_line_id(f["id"], k + 1)),
            "quantity": qty,
            "lineItem": lambda info: line_node(line),
            "originalTotalSet": money_bag(amount),
            "discountedTotalSet": money_bag(amount),
        }

    return {
        "__typename": "Fulfillment",
        "id": catalog.gid("Fulfillment", f["id"]),
        "legacyResourceId": str(f["id"]),
        "name": f["name"],
        "status": f["status"],
        "displayStatus": f["display_status"],
        "createdAt": f["created_at"],
        "updatedAt": f["updated_at"],
        "deliveredAt": f["updated_at"] if delivered else None,
        "inTransitAt": f["created_at"],
        "estimatedDeliveryAt": None,
        "requiresShipping": True,
        "totalQuantity": sum(qty for _line, qty in f["lines"]),
        "trackingInfo": lambda info, first=None: [dict(t) for t in f["tracking"][:first]],
        "location": lambda info: location_node(ctx, locations.find(ctx.view.kind, f["location_id"])),
        "order": lambda info: order_node_of(),
        "service": None,
        "originAddress": None,
        "fulfillmentLineItems": list_connection(items, item_node, id_of=lambda e: e[1]),
        "fulfillmentOrders": empty_connection,
        "events": empty_connection,
    }


def refund_node(ctx, order_node_of, r: dict, lines_by_id: dict, line_node) -> dict:
    from app.demo_store.stock_nodes import location_node

    items = [(k, line, qty, restock) for k, (line, qty, restock) in enumerate(r["lines"])]

    def item_node(entry) -> dict:
        k, line, qty, restock = entry
        _record, _product, variant = lines_by_id[line]
        restocked = restock in ("RETURN", "CANCEL", "LEGACY_RESTOCK")
        return {
            "__typename": "RefundLineItem",
            "id": catalog.gid("RefundLineItem", refund_line_id(r["id"], k + 1)),
            "quantity": qty,
            "restockType": restock,
            "restocked": restocked,
            "lineItem": lambda info: line_node(line),
            "location": (lambda info: location_node(ctx, locations.find(ctx.view.kind, locations.WAREHOUSE)))
            if restocked
            else None,
            "priceSet": money_bag(variant["price"]),
            "subtotalSet": money_bag(float(variant["price"]) * qty),
            "totalTaxSet": money_bag(0),
        }

    return {
        "__typename": "Refund",
        "id": catalog.gid("Refund", r["id"]),
        "legacyResourceId": str(r["id"]),
        "createdAt": r["created_at"],
        "updatedAt": r["updated_at"],
        "processedAt": r["created_at"],
        "note": r["note"],
        "totalRefundedSet": money_bag(refund_total(r, lines_by_id)),
        "refundLineItems": list_connection(items, item_node, id_of=lambda e: e[1]),
        "order": lambda info: order_node_of(),
        "duties": [],
        "return": None,
        "staffMember": None,
        "orderAdjustments": empty_connection,
        "refundShippingLines": empty_connection,
        "transactions": empty_connection,
    }
