"""The shop's products and orders as REST webhook bodies (numeric ids beside `admin_graphql_api_id`)."""

from __future__ import annotations


def number(gid: str) -> int:
    return int(gid.rsplit("/", 1)[1])


def product_body(p: dict, *, with_media: bool = True) -> dict:
    variants = [
        {"admin_graphql_api_id": v["id"], "id": number(v["id"]), "product_id": number(p["id"]), "position": i,
         "sku": v["sku"], "title": v["title"], "price": v["price"], "compare_at_price": v["compareAtPrice"],
         "option1": v["selectedOptions"][0]["value"], "option2": v["selectedOptions"][1]["value"], "option3": None,
         "inventory_item_id": number(v["inventoryItem"]["id"]), "inventory_quantity": v["inventoryQuantity"],
         "image_id": None, "updated_at": p["updatedAt"]}
        for i, v in enumerate(p["variants"], start=1)
    ]  # fmt: skip
    images = [m for m in p["media"] if m.get("image")]
    media = []
    for position, m in enumerate(p["media"], start=1):
        own = [
            number(v["id"])
            for v in p["variants"]
            if v["media"]["nodes"] and v["media"]["nodes"][0]["id"] == m["id"]
        ]
        preview = (
            {"src": m["image"]["url"], "width": 800, "height": 800, "status": "READY"}
            if m.get("image")
            else None
        )
        media.append({"id": number(m["id"]), "product_id": number(p["id"]), "position": position,
                      "alt": m.get("alt") or None, "status": "READY", "media_content_type": m["mediaContentType"],
                      "preview_image": preview, "variant_ids": own, "admin_graphql_api_id": m["id"]})  # fmt: skip
    body = {
        "admin_graphql_api_id": p["id"], "id": number(p["id"]), "title": p["title"], "handle": p["handle"],
        "body_html": p["descriptionHtml"], "product_type": p["productType"], "vendor": p["vendor"],
        "status": p["status"].lower(), "tags": ", ".join(p["tags"]), "created_at": p["createdAt"],
        "updated_at": p["updatedAt"], "variants": variants,
        "options": [{"name": "Size", "position": 1}, {"name": "Colour", "position": 2}],
        "images": [{"id": 900000 + i, "position": i, "alt": m["image"]["altText"], "src": m["image"]["url"],
                    "admin_graphql_api_id": f"gid://shopify/ProductImage/{900000 + i}"}
                   for i, m in enumerate(images, start=1)],
        "image": None,
        "variant_gids": [{"admin_graphql_api_id": v["id"], "updated_at": p["updatedAt"]} for v in p["variants"]],
    }  # fmt: skip
    if with_media:
        body["media"] = media
    return body


def fulfillment_body(order: dict, f: dict) -> dict:
    return {
        "id": number(f["id"]), "admin_graphql_api_id": f["id"], "order_id": number(order["id"]), "name": f["name"],
        "status": f["status"].lower(), "created_at": f["createdAt"], "updated_at": f["updatedAt"],
        "tracking_company": f["trackingInfo"][0]["company"] if f["trackingInfo"] else None,
        "tracking_number": f["trackingInfo"][0]["number"] if f["trackingInfo"] else None,
        "tracking_numbers": [t["number"] for t in f["trackingInfo"]],
        "tracking_url": f["trackingInfo"][0]["url"] if f["trackingInfo"] else None,
        "tracking_urls": [t["url"] for t in f["trackingInfo"]],
    }  # fmt: skip


def refund_body(order: dict, r: dict) -> dict:
    amount = r["totalRefundedSet"]["shopMoney"]
    return {
        "id": number(r["id"]), "admin_graphql_api_id": r["id"], "order_id": number(order["id"]), "note": r["note"],
        "created_at": r["createdAt"], "processed_at": r["createdAt"],
        "refund_line_items": [
            {"id": 70000 + i, "line_item_id": number(li["lineItem"]["id"]), "quantity": li["quantity"],
             "subtotal": li["subtotalSet"]["shopMoney"]["amount"], "restock_type": "return"}
            for i, li in enumerate(r["refundLineItems"])
        ],
        "transactions": [{"id": 80001, "kind": "refund", "status": "success", "amount": amount["amount"],
                          "currency": amount["currencyCode"]}],
    }  # fmt: skip


def order_body(o: dict) -> dict:
    # The lines' `price` times quantity is the order's total; REST gives it as `total_price`.
    return {
        "admin_graphql_api_id": o["id"], "id": number(o["id"]), "name": o["name"], "email": o["email"],
        "created_at": o["createdAt"], "updated_at": o["updatedAt"], "cancelled_at": None, "currency": "EUR",
        "total_price": o["totalPriceSet"]["shopMoney"]["amount"], "subtotal_price": o["totalPriceSet"]["shopMoney"]["amount"],
        "financial_status": o["displayFinancialStatus"].lower(), "fulfillment_status": o["displayFulfillmentStatus"].lower(),
        "customer": {"id": 7, "first_name": "Ana", "last_name": "Silva", "email": o["email"]},
        "line_items": [
            {"id": number(li["id"]), "admin_graphql_api_id": li["id"], "variant_id": number(li["variant"]["id"]),
             "sku": li["sku"], "title": li["title"], "name": li["title"], "quantity": li["quantity"],
             "price": li["originalUnitPriceSet"]["shopMoney"]["amount"]}
            for li in o["lineItems"]
        ],
        "fulfillments": [fulfillment_body(o, f) for f in o["fulfillments"]],
        "refunds": [refund_body(o, r) for r in o["refunds"]],
    }  # fmt: skip
