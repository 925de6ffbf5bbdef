"""Inventory items, inventory levels (stock per item per location) and locations as GraphQL objects.

A level exists for each location that stocks an item (`InventoryMixin.levels`); ``quantities(names:)``
answers any of Shopify's quantity names. ``Location.inventoryLevels`` lists every level at a location, in
product then variant order; built per request from the catalog, which is fine for a demo-sized shop.
Inactive locations are left out of ``locations`` unless ``includeInactive: true``, as Shopify does.
"""

from __future__ import annotations

from app.demo_store import catalog, locations
from app.demo_store.nodes import empty_connection, list_connection, variant_node


def level_gid(location_id: int, item_id: int) -> str:
    return f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}"


def inventory_item_node(ctx, item_id: int, product: dict, variant: dict) -> dict:
    def levels() -> list[int]:
        return list(ctx.levels(variant))

    def level(info, locationId, **_):
        wanted = catalog.parse_gid(locationId, "Location")
        return inventory_level_node(ctx, item_id, product, variant, wanted) if wanted in levels() else None

    return {
        "__typename": "InventoryItem",
        "id": catalog.gid("InventoryItem", item_id),
        "legacyResourceId": str(item_id),
        "sku": variant["sku"],
        "tracked": True,
        "requiresShipping": True,
        "duplicateSkuCount": 0,
        "unitCost": None,
        "countryCodeOfOrigin": None,
        "harmonizedSystemCode": None,
        "measurement": {"id": catalog.gid("InventoryItemMeasurement", item_id), "weight": None},
        "createdAt": product["created_at"],
        "updatedAt": lambda info: ctx.store.inventory_updated_at(ctx.shop, item_id) or product["updated_at"],
        "variant": lambda info: variant_node(ctx, product, variant),
        "variants": list_connection([variant], lambda v: variant_node(ctx, product, v)),
        "inventoryLevels": list_connection(
            levels,
            lambda loc: inventory_level_node(ctx, item_id, product, variant, loc),
            id_of=lambda loc: loc,
        ),  # fmt: skip
        "inventoryLevel": level,
    }


def inventory_level_node(ctx, item_id: int, product: dict, variant: dict, location_id: int) -> dict:
    def updated(info=None) -> str:
        return ctx.store.inventory_updated_at(ctx.shop, item_id, location_id) or product["updated_at"]

    def quantities(info, names):
        current = ctx.levels(variant).get(location_id, {})
        moment = updated()
        return [
            {"id": f"gid://shopify/InventoryQuantity/{location_id}?inventory_item_id={item_id}&name={name}",
             "name": name, "quantity": current.get(name, 0), "updatedAt": moment}
            for name in names
        ]  # fmt: skip

    return {
        "__typename": "InventoryLevel",
        "id": level_gid(location_id, item_id),
        "isActive": True,
        "canDeactivate": False,
        "deactivationAlert": None,
        "createdAt": product["created_at"],
        "updatedAt": updated,
        "quantities": quantities,
        "item": lambda info: inventory_item_node(ctx, item_id, product, variant),
        "location": lambda info: location_node(ctx, locations.find(ctx.view.kind, location_id)),
    }


def _levels_at(ctx, location_id: int) -> list[tuple]:
    view = ctx.view
    records = [view.product(i) for i in range(view.product_count)]
    records = [r for r in records if r is not None]
    ctx.prefetch_inventory(records)
    return [
        (r, v) for r in records for v in r["variants"] if location_id in ctx.levels(v)
    ]  # fmt: skip


def location_node(ctx, location: dict | None = None) -> dict:
    loc = location or locations.UNIFORM[0]
    address = loc["address"]
    lines = [address["address1"], f"{address['city']} {address['zip']}", address["country"]]

    def stocked(info, query=None, includeInactive=None, **args):
        resolve = list_connection(
            lambda: _levels_at(ctx, loc["id"]),
            lambda pair: inventory_level_node(ctx, pair[1]["inventory_item_id"], pair[0], pair[1], loc["id"]),
            id_of=lambda pair: pair[1]["inventory_item_id"],
        )
        return resolve(info, **args)

    def one_level(info, inventoryItemId, **_):
        found = ctx.store.variant_of_item(ctx.shop, catalog.parse_gid(inventoryItemId, "InventoryItem") or 0)
        if found is None or loc["id"] not in ctx.levels(found[1]):
            return None
        return inventory_level_node(ctx, found[1]["inventory_item_id"], *found, loc["id"])

    return {
        "__typename": "Location",
        "id": catalog.gid("Location", loc["id"]),
        "legacyResourceId": str(loc["id"]),
        "name": loc["name"],
        "isActive": loc["active"],
        "isPrimary": loc["primary"],
        "activatable": not loc["active"],
        "deactivatable": False,
        "deletable": False,
        "addressVerified": True,
        "fulfillsOnlineOrders": loc["fulfills_online_orders"],
        "hasActiveInventory": loc["active"],
        "hasUnfulfilledOrders": False,
        "isFulfillmentService": False,
        "shipsInventory": loc["active"],
        "suggestedAddresses": [],
        "createdAt": loc["created_at"],
        "updatedAt": loc["updated_at"],
        "address": {**address, "formatted": lines},
        "metafields": empty_connection,
        "inventoryLevels": stocked,
        "inventoryLevel": one_level,
    }


def inventory_items_field(info, query=None, **args):
    """Root ``inventoryItems``: every item of the shop, in product then variant order."""
    ctx = info.context
    view = ctx.view
    records = [r for r in (view.product(i) for i in range(view.product_count)) if r is not None]
    pairs = [(r, v) for r in records for v in r["variants"]]
    if ctx.bulk and info.path.prev is None:
        ctx.bulk_next = None  # one pass holds every item
    resolve = list_connection(
        pairs, lambda pair: inventory_item_node(ctx, pair[1]["inventory_item_id"], *pair),
        id_of=lambda pair: pair[1]["inventory_item_id"],
    )  # fmt: skip
    return resolve(info, **args)
