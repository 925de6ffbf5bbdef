"""Root ``Mutation`` fields of the demo store: webhook subscriptions, bulk queries, inventory adjustments, and
the product writes of `product_mutations`."""

from __future__ import annotations

import graphql
from graphql import GraphQLError

from app.demo_store import catalog, locations
from app.demo_store.product_mutations import product_mutation_root
from app.demo_store.resolvers import bulk_node
from app.demo_store.stock_nodes import inventory_item_node, location_node

IDEMPOTENT_REQUIRED = "The @idempotent directive is required for this mutation"


def idempotency_key(info) -> str | None:
    """The ``key`` of an ``@idempotent`` directive on the field being resolved, if any."""
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value == "idempotent":
            for arg in directive.arguments or ():
                if arg.name.value == "key":
                    variables = getattr(info.variable_values, "coerced", info.variable_values)
                    value = graphql.value_from_ast_untyped(arg.value, variables)
                    return str(value) if value not in (None, "") else None
    return None


def _webhook_create(info, topic, webhookSubscription):
    ctx = info.context
    uri = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
    if not uri:
        return {"webhookSubscription": None,
                "userErrors": [{"field": ["webhookSubscription", "uri"], "message": "Address can't be blank"}]}  # fmt: skip
    if not uri.startswith(("https://", "http://", "pubsub://", "arn:aws:events:")):
        return {"webhookSubscription": None,
                "userErrors": [{"field": ["webhookSubscription", "uri"], "message": "Address is invalid"}]}  # fmt: skip
    for existing in ctx.store.subscriptions(ctx.shop, [topic]):
        if existing["uri"] == uri:
            message = "Address for this topic has already been taken"
            return {"webhookSubscription": None,
                    "userErrors": [{"field": ["webhookSubscription", "callbackUrl"], "message": message}]}  # fmt: skip
    node = ctx.store.subscribe(ctx.shop, topic, uri, webhookSubscription.get("format") or "JSON")
    return {"webhookSubscription": node, "userErrors": []}


def _webhook_delete(info, id):
    ctx = info.context
    if ctx.store.unsubscribe(ctx.shop, id):
        return {"deletedWebhookSubscriptionId": id, "userErrors": []}
    return {"deletedWebhookSubscriptionId": None,
            "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}]}  # fmt: skip


def _bulk_run(info, query, groupObjects=False):
    ctx = info.context
    row, errors = ctx.store.create_bulk(ctx.shop, query)
    if errors:
        return {"bulkOperation": None, "userErrors": errors}
    payload = {"bulkOperation": bulk_node(ctx, row), "userErrors": []}
    ctx.store.start_bulk(row["id"])
    return payload


def _bulk_cancel(info, id):
    ctx = info.context
    row = ctx.store.bulk_row(ctx.shop, catalog.parse_gid(id, "BulkOperation") or 0)
    if row is None:
        return {
            "bulkOperation": None,
            "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}],
        }
    if row["status"] in ("CREATED", "RUNNING"):
        ctx.store.cancel_bulk(row["id"])
        row = ctx.store.bulk_row(ctx.shop, catalog.parse_gid(id, "BulkOperation"))
    return {"bulkOperation": bulk_node(ctx, row), "userErrors": []}


def _inventory_adjust(info, input):
    ctx = info.context
    key = idempotency_key(info)
    if key is None:
        raise GraphQLError(IDEMPOTENT_REQUIRED, extensions={"code": "BAD_REQUEST"})
    for k, change in enumerate(input.get("changes") or []):
        if "changeFromQuantity" not in change:
            # From 2026-04 the field must be sent on every change; null is the explicit opt-out.
            raise GraphQLError(
                f"changeFromQuantity is required on changes[{k}]: pass the quantity you expect, or null to skip "
                "the compare-and-swap check",
                extensions={"code": "BAD_REQUEST"},
            )
    result = ctx.store.adjust_quantities(ctx.shop, input, key)
    group = result["group"]
    return {
        "inventoryAdjustmentGroup": _group_node(ctx, group) if group else None,
        "userErrors": result["userErrors"],
    }


def _group_node(ctx, group: dict) -> dict:
    def changes(info, inventoryItemIds=None, locationIds=None, quantityNames=None):
        out = []
        for change in group["changes"]:
            item_gid = catalog.gid("InventoryItem", change["itemId"])
            if inventoryItemIds and item_gid not in inventoryItemIds:
                continue
            if quantityNames and change["name"] not in quantityNames:
                continue
            out.append({
                "name": change["name"], "delta": change["delta"], "quantityAfterChange": change["quantityAfterChange"],
                "ledgerDocumentUri": change["ledgerDocumentUri"],
                "item": lambda info, c=change: _item(ctx, c["itemId"]),
                "location": lambda info, c=change: location_node(ctx, locations.find(ctx.view.kind, c["locationId"])),
            })  # fmt: skip
        return out

    return {
        "__typename": "InventoryAdjustmentGroup",
        "id": group["id"],
        "createdAt": group["createdAt"],
        "reason": group["reason"],
        "referenceDocumentUri": group["referenceDocumentUri"],
        "app": None,
        "staffMember": None,
        "changes": changes,
    }


def _item(ctx, item_id: int):
    found = ctx.store.variant_of_item(ctx.shop, item_id)
    return inventory_item_node(ctx, item_id, *found) if found else None


def mutation_root() -> dict:
    return {
        "webhookSubscriptionCreate": _webhook_create,
        "webhookSubscriptionDelete": _webhook_delete,
        "bulkOperationRunQuery": _bulk_run,
        "bulkOperationCancel": _bulk_cancel,
        "inventoryAdjustQuantities": _inventory_adjust,
        **product_mutation_root(),
    }
