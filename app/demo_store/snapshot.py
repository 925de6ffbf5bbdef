"""The shop's own data as plain dicts, for tests that compare what a sync stored with what the shop holds.

`snapshot(store, shop)` returns every product, variant, media item, order, line item, fulfillment, refund,
location, inventory level and collection, with all of its fields, changes included. Field names are the
GraphQL ones (ids as GIDs, references as ``productId`` / ``orderId`` / ... GIDs, money as strings with two
decimals, quantities as ints), so a row read back through the API and a row here compare key by key.
Read-only; it must not change the store.
"""

from __future__ import annotations

from app.demo_store import awkward_orders, catalog, collections, locations
from app.demo_store.order_parts import refund_total


def _money(amount: float | str) -> str:
    return amount if isinstance(amount, str) else f"{amount:.2f}"


def _product_rows(store, shop: str, view, record: dict, out: dict) -> None:
    pid = catalog.gid("Product", record["id"])
    out["products"].append({
        "id": pid, "legacyResourceId": record["id"], "title": record["title"], "handle": record["handle"],
        "vendor": record["vendor"], "productType": record["product_type"], "tags": list(record["tags"]),
        "status": record["status"], "descriptionHtml": record["description_html"],
        "createdAt": record["created_at"], "updatedAt": record["updated_at"],
        "options": [{"name": o["name"], "values": list(o["values"])} for o in record["options"]],
        "collectionIds": [catalog.gid("Collection", c["id"]) for c in collections.of_product(view.kind, record)],
    })  # fmt: skip
    for m, img in enumerate(record["images"]):
        out["media"].append({
            "id": catalog.gid("MediaImage", img["id"]), "productId": pid, "position": m + 1, "alt": img["alt"],
            "url": store.image_url(shop, img), "width": img["width"], "height": img["height"],
            "mediaContentType": "IMAGE",
        })  # fmt: skip
    for v in record["variants"]:
        item = v["inventory_item_id"]
        levels = store.levels(shop, item, v)
        out["variants"].append({
            "id": catalog.gid("ProductVariant", v["id"]), "productId": pid, "position": v["position"],
            "title": v["title"], "sku": v["sku"], "barcode": v.get("barcode"), "price": v["price"],
            "compareAtPrice": v["compare_at_price"], "inventoryItemId": catalog.gid("InventoryItem", item),
            "imageId": catalog.gid("MediaImage", v["image_id"]) if v.get("image_id") else None,
            "selectedOptions": [{"name": o["name"], "value": v.get(f"option{n + 1}")}
                                for n, o in enumerate(record["options"])],
            "inventoryQuantity": sum(q["available"] for q in levels.values()),
        })  # fmt: skip
        for location_id, q in levels.items():
            out["inventoryLevels"].append({
                "id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item}",
                "inventoryItemId": catalog.gid("InventoryItem", item), "variantId": catalog.gid("ProductVariant", v["id"]),
                "locationId": catalog.gid("Location", location_id), "available": q["available"],
                "on_hand": q["on_hand"], "committed": q["committed"],
                "updatedAt": store.inventory_updated_at(shop, item, location_id) or record["updated_at"],
            })  # fmt: skip


def _order_rows(store, shop: str, order: dict, out: dict) -> None:
    oid = catalog.gid("Order", order["id"])
    by_id = store._order_lines(shop, order)  # noqa: SLF001 - same package
    fulfilled, refunded = awkward_orders.fulfilled_quantity(order), awkward_orders.refunded_quantity(order)
    subtotal = sum(float(v["price"]) * line["quantity"] for line, _p, v in by_id.values())
    refunds = order.get("refunds") or []
    out["orders"].append({
        "id": oid, "legacyResourceId": order["id"], "name": order["name"], "number": order["number"] - 1000,
        "email": order["email"], "createdAt": order["created_at"], "updatedAt": order["updated_at"],
        "displayFinancialStatus": order["financial_status"], "displayFulfillmentStatus": order["fulfillment_status"],
        "subtotal": _money(subtotal), "totalRefunded": _money(sum(refund_total(r, by_id) for r in refunds)),
        "lineItemCount": len(order["lines"]),
    })  # fmt: skip
    for k, (line, product, variant) in enumerate(by_id.values()):
        current = line["quantity"] - refunded.get(line["id"], 0)
        out["lineItems"].append({
            "id": catalog.gid("LineItem", line["id"]), "orderId": oid, "position": k + 1,
            "productId": catalog.gid("Product", product["id"]), "variantId": catalog.gid("ProductVariant", variant["id"]),
            "title": product["title"], "variantTitle": variant["title"], "sku": variant["sku"],
            "quantity": line["quantity"], "currentQuantity": current,
            "unfulfilledQuantity": max(current - fulfilled.get(line["id"], 0), 0), "price": variant["price"],
        })  # fmt: skip
    for f in order.get("fulfillments") or ():
        first = f["tracking"][0] if f["tracking"] else {}
        out["fulfillments"].append({
            "id": catalog.gid("Fulfillment", f["id"]), "orderId": oid, "name": f["name"], "status": f["status"],
            "displayStatus": f["display_status"], "createdAt": f["created_at"], "updatedAt": f["updated_at"],
            "locationId": catalog.gid("Location", f["location_id"]), "trackingCompany": first.get("company"),
            "trackingNumber": first.get("number"), "trackingUrl": first.get("url"),
            "trackingInfo": [dict(t) for t in f["tracking"]],
            "lineItems": [{"lineItemId": catalog.gid("LineItem", i), "quantity": q} for i, q in f["lines"]],
        })  # fmt: skip
    for r in refunds:
        out["refunds"].append({
            "id": catalog.gid("Refund", r["id"]), "orderId": oid, "createdAt": r["created_at"], "note": r["note"],
            "totalRefunded": _money(refund_total(r, by_id)),
            "lineItems": [{"lineItemId": catalog.gid("LineItem", i), "quantity": q, "restockType": restock}
                          for i, q, restock in r["lines"]],
        })  # fmt: skip


def snapshot(store, shop: str) -> dict[str, list[dict]]:
    view = store.view(shop)
    out: dict[str, list[dict]] = {name: [] for name in ("products", "variants", "media", "orders", "lineItems",
                                                        "fulfillments", "refunds", "locations", "inventoryLevels",
                                                        "collections")}  # fmt: skip
    records = [r for r in (view.product(i) for i in range(view.product_count)) if r is not None]
    for record in records:
        _product_rows(store, shop, view, record, out)
    for j in range(store.order_total(shop)):
        order = store.order(shop, j)
        if order is not None:
            _order_rows(store, shop, order, out)
    for loc in locations.for_kind(view.kind):
        out["locations"].append({
            "id": catalog.gid("Location", loc["id"]), "legacyResourceId": loc["id"], "name": loc["name"],
            "isActive": loc["active"], "fulfillsOnlineOrders": loc["fulfills_online_orders"],
            "isPrimary": loc["primary"],
        })  # fmt: skip
    for c in collections.for_kind(view.kind):
        rule_set = None
        if c["rules"] is not None:
            rule_set = {"appliedDisjunctively": c["disjunctive"],
                        "rules": [{"column": a, "relation": b, "condition": d} for a, b, d in c["rules"]]}  # fmt: skip
        out["collections"].append({
            "id": catalog.gid("Collection", c["id"]), "title": c["title"], "handle": c["handle"], "kind": c["kind"],
            "sortOrder": c["sort_order"], "updatedAt": c["updated_at"], "ruleSet": rule_set,
            "productIds": [catalog.gid("Product", r["id"]) for r in collections.members(c, view)],
        })  # fmt: skip
    return out
