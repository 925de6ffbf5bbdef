"""A Shopify shop for the whole-catalog tests, answering the app's GraphQL documents through `responses`.

Nodes are shaped as the Admin API 2026-10 answers them (GIDs, MoneyBags, connections with `pageInfo`,
fulfillments and refunds as lists), paged by `first`/`after` with opaque cursors, and the same data is given
as REST webhook bodies and as a bulk JSONL export. The shop's own dicts are what each test compares the
database with, field by field.
"""

from __future__ import annotations

import base64
import json
import re

import responses

EXTENSIONS = {"cost": {"requestedQueryCost": 10, "actualQueryCost": 10, "throttleStatus": {
    "maximumAvailable": 2000.0, "currentlyAvailable": 1990, "restoreRate": 100.0}}}  # fmt: skip
GRAPHQL = re.compile(r"https://(?P<shop>[^/]+)/admin/api/[^/]+/graphql\.json")
BULK_URL = "https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-result.jsonl"
# The sync's bulk exports, told apart by the root their document queries.
BULK_KINDS = ("products", "variant_media", "orders", "locations")
BULK_ROOTS = {"variant_media": "productVariants {", "orders": "orders {", "locations": "locations("}


def bulk_url(kind: str) -> str:
    return BULK_URL.replace("bulk-result", f"bulk-{kind}")


def gid(kind: str, n: int) -> str:
    return f"gid://shopify/{kind}/{n}"


def money(amount: str) -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": "EUR"}}


def cursor(index: int) -> str:
    return base64.b64encode(json.dumps({"last_id": index}).encode()).decode()


def page(items: list, first: int | None, after: str | None) -> dict:
    start = json.loads(base64.b64decode(after))["last_id"] if after else 0
    end = len(items) if first is None else start + first
    chunk = items[start:end]
    return {
        "nodes": chunk,
        "pageInfo": {"hasNextPage": end < len(items), "endCursor": cursor(end) if chunk else None},
    }


def make_product(number: int, variants: int, media: int, updated: str = "2026-11-20T10:00:00Z") -> dict:
    media_nodes = []
    for i in range(media):
        if i % 10 == 9:  # a video among the images: no image URL, its own alt text
            media_nodes.append({"id": gid("Video", number * 1000 + i), "mediaContentType": "VIDEO",
                                "alt": f"Video {i} of {number}"})  # fmt: skip
        else:
            url = f"https://cdn.shopify.com/s/files/1/0001/p{number}-{i}.jpg"
            alt = f"View {i} of {number}" if i % 4 else None
            media_nodes.append({"id": gid("MediaImage", number * 1000 + i), "mediaContentType": "IMAGE",
                                "alt": alt or "", "image": {"url": url, "altText": alt}})  # fmt: skip
    variant_nodes = []
    for i in range(variants):
        own = media_nodes[i % len(media_nodes)] if media_nodes and i % 3 == 0 else None
        variant_nodes.append({
            "id": gid("ProductVariant", number * 10000 + i),
            "sku": f"SKU-{number}-{i}" if i % 5 else None,
            "title": f"Size {i % 16} / Colour {i // 16}",
            "price": f"{10 + i % 90}.{i % 100:02d}",
            "compareAtPrice": f"{120 + i % 9}.00" if i % 2 else None,
            "inventoryQuantity": (i % 13) - 2,
            "inventoryItem": {"id": gid("InventoryItem", number * 10000 + i)},
            "selectedOptions": [{"name": "Size", "value": str(i % 16)}, {"name": "Colour", "value": str(i // 16)}],
            "media": {"nodes": [{"id": own["id"]}] if own else []},
        })  # fmt: skip
    return {
        "id": gid("Product", number), "title": f"Product {number}", "handle": f"product-{number}",
        "descriptionHtml": f"<p>Product {number}</p>", "productType": "Shirts", "vendor": "Casa Nova",
        "tags": ["linen", "summer"], "status": "ACTIVE", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": updated,
        "variants": variant_nodes, "media": media_nodes,
    }  # fmt: skip


def make_order(number: int, product: dict, lines: int) -> dict:
    variants = product["variants"]
    line_nodes = [
        {"id": gid("LineItem", number * 1000 + i), "sku": variants[i % len(variants)]["sku"],
         "title": f"{product['title']} - {variants[i % len(variants)]['title']}", "quantity": 1 + i % 3,
         "variant": {"id": variants[i % len(variants)]["id"]}, "originalUnitPriceSet": money(variants[i % len(variants)]["price"])}
        for i in range(lines)
    ]  # fmt: skip
    fulfillments = [
        {"id": gid("Fulfillment", number * 10 + 1), "name": f"#{number}-F1", "status": "SUCCESS",
         "createdAt": "2026-11-21T09:00:00Z", "updatedAt": "2026-11-21T09:30:00Z",
         "trackingInfo": [{"company": "CTT", "number": "RR123456789PT", "url": "https://ctt.pt/track/RR123456789PT"}]},
        {"id": gid("Fulfillment", number * 10 + 2), "name": f"#{number}-F2", "status": "SUCCESS",
         "createdAt": "2026-11-22T09:00:00Z", "updatedAt": "2026-11-22T10:00:00Z",
         "trackingInfo": [{"company": "DHL Express", "number": "JD0146000", "url": "https://dhl.com/t/JD0146000"},
                          {"company": "DHL Express", "number": "JD0146001", "url": "https://dhl.com/t/JD0146001"}]},
    ]  # fmt: skip
    refund_lines = [
        {"lineItem": {"id": line_nodes[i]["id"]}, "quantity": 1, "subtotalSet": money(line_nodes[i]["originalUnitPriceSet"]["shopMoney"]["amount"])}
        for i in range(min(7, lines))
    ]  # fmt: skip
    refunds = [{"id": gid("Refund", number * 10 + 1), "createdAt": "2026-11-23T12:00:00Z", "note": "Two sizes too small",
                "totalRefundedSet": money("150.25"), "refundLineItems": refund_lines}]  # fmt: skip
    total = sum(float(n["originalUnitPriceSet"]["shopMoney"]["amount"]) * n["quantity"] for n in line_nodes)
    return {
        "id": gid("Order", number), "name": f"#{number}", "createdAt": "2026-11-20T11:00:00Z",
        "updatedAt": "2026-11-23T12:00:00Z", "cancelledAt": None, "email": "ana@example.com", "phone": None,
        "currencyCode": "EUR", "displayFinancialStatus": "PARTIALLY_REFUNDED", "displayFulfillmentStatus": "FULFILLED",
        "totalPriceSet": money(f"{total:.2f}"),
        "customer": {"id": gid("Customer", 7), "displayName": "Ana Silva",
                     "defaultEmailAddress": {"emailAddress": "ana@example.com"},
                     "defaultPhoneNumber": {"phoneNumber": "+351912345678"}},
        "billingAddress": {"name": "Ana Silva", "phone": None},
        "lineItems": line_nodes, "fulfillments": fulfillments, "refunds": refunds,
    }  # fmt: skip


class Shop:
    """Products and orders of one shop, answered as the Admin API would; `calls` counts operations."""

    def __init__(self, domain: str, products: list[dict], orders: list[dict] | None = None,
                 collections: list[dict] | None = None):  # fmt: skip
        self.domain, self.products, self.orders = domain, products, orders or []
        # [{"id", "title", "handle", "kind", "updatedAt", "products": [product GIDs]}]
        self.collections = collections or []
        self.calls: dict[str, int] = {}

    # --- shapes -------------------------------------------------------------------------------------
    def _product(self, p: dict, variants_first: int | None, media_first: int | None) -> dict:
        return {
            **p,
            "variants": page(p["variants"], variants_first, None),
            "media": page(p["media"], media_first, None),
        }

    def _order(self, o: dict, v: dict) -> dict:
        refunds = [
            {**r, "refundLineItems": page(r["refundLineItems"], 5, None)}
            for r in o["refunds"][: v.get("refundsFirst")]
        ]
        return {**o, "lineItems": page(o["lineItems"], v["lineItemsFirst"], None),
                "fulfillments": o["fulfillments"][: v.get("fulfillmentsFirst")], "refunds": refunds}  # fmt: skip

    def _find(self, items: list[dict], node_id: str) -> dict | None:
        return next((i for i in items if i["id"] == node_id), None)

    def answer(self, operation: str, v: dict) -> dict:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if operation == "ProductsCount":
            return {"productsCount": {"count": len(self.products), "precision": "EXACT"}}
        if operation == "OrdersCount":
            return {"ordersCount": {"count": len(self.orders), "precision": "EXACT"}}
        if operation == "ProductsPage":
            listed = page(self.products, v["first"], v.get("after"))
            listed["nodes"] = [self._product(p, v["variantsFirst"], v["mediaFirst"]) for p in listed["nodes"]]
            return {"products": listed}
        if operation == "ProductById":
            p = self._find(self.products, v["id"])
            return {"product": self._product(p, v["variantsFirst"], v["mediaFirst"]) if p else None}
        if operation in ("ProductVariantsPage", "ProductMediaPage"):
            p = self._find(self.products, v["id"])
            field = "variants" if operation == "ProductVariantsPage" else "media"
            return {"product": {"id": p["id"], field: page(p[field], v["first"], v.get("after"))}}
        if operation == "OrdersPage":
            listed = page(self.orders, v["first"], v.get("after"))
            listed["nodes"] = [self._order(o, v) for o in listed["nodes"]]
            return {"orders": listed}
        if operation == "OrderLineItemsPage":
            o = self._find(self.orders, v["id"])
            return {"order": {"id": o["id"], "lineItems": page(o["lineItems"], v["first"], v.get("after"))}}
        if operation == "OrderShipments":
            o = self._order(self._find(self.orders, v["id"]), {**v, "lineItemsFirst": 0})
            return {"order": {"id": o["id"], "fulfillments": o["fulfillments"], "refunds": o["refunds"]}}
        if operation == "RefundLineItemsPage":
            r = next(r for o in self.orders for r in o["refunds"] if r["id"] == v["id"])
            return {
                "refund": {
                    "id": r["id"],
                    "refundLineItems": page(r["refundLineItems"], v["first"], v.get("after")),
                }
            }
        if operation == "CollectionsPage":
            kind = v["query"].split(":", 1)[1]
            listed = page([c for c in self.collections if c["kind"] == kind], v["first"], v.get("after"))
            listed["nodes"] = [
                {**{k: c[k] for k in ("id", "title", "handle", "updatedAt")},
                 "products": page([{"id": g} for g in c["products"]], v["productsFirst"], None)}
                for c in listed["nodes"]
            ]  # fmt: skip
            return {"collections": listed}
        if operation == "CollectionProductsPage":
            c = self._find(self.collections, v["id"])
            return {
                "collection": {
                    "id": c["id"],
                    "products": page([{"id": g} for g in c["products"]], v["first"], v.get("after")),
                }
            }
        if operation == "BulkOperationRunQuery":
            kind = next((k for k, root in BULK_ROOTS.items() if root in v["query"]), "products")
            operation_ = {
                "id": f"gid://shopify/BulkOperation/72091{BULK_KINDS.index(kind)}",
                "status": "CREATED",
            }
            return {"bulkOperationRunQuery": {"bulkOperation": operation_, "userErrors": []}}
        if operation == "BulkOperation":
            kind = BULK_KINDS[int(v["id"].rsplit("/", 1)[1]) - 720910]
            roots = {"products": self.products, "variant_media": [v for p in self.products for v in p["variants"]],
                     "orders": self.orders, "locations": []}[kind]  # fmt: skip
            return {"bulkOperation": {
                "id": v["id"], "status": "COMPLETED", "errorCode": None, "objectCount": "0",
                "rootObjectCount": str(len(roots)), "url": bulk_url(kind) if roots else None, "partialDataUrl": None,
                "createdAt": "2026-11-25T10:00:00Z", "completedAt": "2026-11-25T10:01:00Z"}}  # fmt: skip
        raise AssertionError(f"the shop was asked an unexpected operation {operation}")

    def bulk_jsonl(self, kind: str = "products") -> str:
        """An export as Shopify writes it with `groupObjects: true`: each child line after its parent, with
        `__parentId`. Variant media are their own export (`productVariants`: two levels of connections at
        most); an order's refund line items are child lines of the refund."""
        lines = []
        for p in self.products if kind in ("products", "variant_media") else []:
            if kind == "products":
                lines.append({k: v for k, v in p.items() if k not in ("variants", "media")})
            for variant in p["variants"]:
                if kind == "variant_media":
                    lines.append({"id": variant["id"]})
                    lines.extend(
                        {"id": m["id"], "__parentId": variant["id"]} for m in variant["media"]["nodes"]
                    )
                    continue
                lines.append({**{k: v for k, v in variant.items() if k != "media"}, "__parentId": p["id"]})
            for m in p["media"] if kind == "products" else []:
                lines.append({**m, "__parentId": p["id"]})
        for o in self.orders if kind == "orders" else []:
            refunds = [{k: v for k, v in r.items() if k != "refundLineItems"} for r in o["refunds"]]
            lines.append({**{k: v for k, v in o.items() if k != "lineItems"}, "refunds": refunds})
            lines.extend({**line, "__parentId": o["id"]} for line in o["lineItems"])
            for r in o["refunds"]:
                lines.extend({**line, "__parentId": r["id"]} for line in r["refundLineItems"])
        return "\n".join(json.dumps(line) for line in lines) + "\n"


def mount(rsps: responses.RequestsMock, *shops: Shop) -> None:
    by_domain = {s.domain: s for s in shops}

    def callback(request):
        body = json.loads(request.body)
        operation = re.search(r"(?:query|mutation)\s+(\w+)", body["query"]).group(1)
        shop = by_domain[GRAPHQL.match(request.url).group("shop")]
        data = shop.answer(operation, body.get("variables") or {})
        return 200, {"Content-Type": "application/json"}, json.dumps({"data": data, "extensions": EXTENSIONS})

    rsps.add_callback(responses.POST, GRAPHQL, callback=callback)
    if shops:  # the export is written when it is downloaded: what the shop holds then
        for kind in BULK_KINDS:
            rsps.add_callback(responses.GET, bulk_url(kind),
                              callback=lambda request, kind=kind: (200, {}, shops[0].bulk_jsonl(kind)))  # fmt: skip
