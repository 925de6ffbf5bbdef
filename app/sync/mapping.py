"""One mapping from Shopify's shapes to plain records: GraphQL nodes (paged or bulk) and REST webhook bodies.

Records are plain dicts with the columns the writers store; they carry Shopify GIDs so that every source agrees
on identity (REST bodies carry numeric ids, which become GIDs here). A product record's `media` is None when
its source did not carry the product's media (a REST body without them): the writer then keeps the stored
rows, and `reread` asks for the product to be read again by GraphQL. Nothing here truncates a list.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation


def gid(kind: str, value) -> str | None:
    if value in (None, ""):
        return None
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


def parse_time(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, dict):  # MoneyBag / MoneyV2
        value = (value.get("shopMoney") or value).get("amount")
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _tags(value) -> str | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else str(value).split(",")
    cleaned = [t.strip() for t in items if t and t.strip()]
    return ", ".join(cleaned) or None


def _nodes(connection) -> list[dict]:
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    if "nodes" in connection:
        return connection["nodes"] or []
    return [edge["node"] for edge in connection.get("edges", [])]


def _status(value) -> str:
    return (value or "active").lower()


def product_from_graphql(node: dict) -> dict:
    """A product node of PRODUCTS_PAGE_QUERY / PRODUCT_BY_ID_QUERY / the bulk export (connections complete)."""
    media = [
        _media_from_graphql(m, position) for position, m in enumerate(_nodes(node.get("media")), start=1)
    ]
    urls = {m["shopify_media_id"]: m["url"] for m in media}
    variants = []
    for position, v in enumerate(_nodes(node.get("variants")), start=1):
        variant = {
            "shopify_variant_id": v["id"],
            "sku": v.get("sku") or None,
            "barcode": v.get("barcode") or None,
            "title": v.get("title") or "Default Title",
            "position": position,
            "price": money(v.get("price")) or Decimal("0.00"),
            "compare_at_price": money(v.get("compareAtPrice")),
            "inventory_quantity": int(v.get("inventoryQuantity") or 0),
            "inventory_item_id": (v.get("inventoryItem") or {}).get("id"),
            "option_values": [{"name": o["name"], "value": o["value"]} for o in v.get("selectedOptions") or []],
        }  # fmt: skip
        if "media" in v:  # not in bulk exports (Shopify allows two levels of nested connections there)
            first = next(iter(_nodes(v["media"])), None)
            variant["image_media_id"] = first["id"] if first else None
            variant["image_url"] = urls.get(first["id"]) if first else None
        variants.append(variant)
    record = _product_record(
        node["id"], node, variants, _images(media), node.get("descriptionHtml"), node.get("productType")
    )
    record["media"] = media
    return record


def _media_from_graphql(m: dict, position: int) -> dict:
    image = m.get("image") or (m.get("preview") or {}).get("image") or {}
    return {
        "position": position,
        "shopify_media_id": m.get("id"),
        "media_type": m.get("mediaContentType") or "IMAGE",
        "url": image.get("url"),
        # Shopify's empty alt text is no alt text: stored as NULL on every path.
        "alt": (m.get("alt") if m.get("alt") not in (None, "") else image.get("altText")) or None,
    }


def _images(media: list[dict]) -> list[dict]:
    """`product.images`: what a channel shows, in Shopify's order."""
    return [{"url": m["url"], "alt": m["alt"]} for m in media if m["url"]]


def product_from_rest(body: dict) -> dict:
    """A products/create or products/update webhook body (REST shape, numeric ids)."""
    option_names = [
        o.get("name") for o in sorted(body.get("options") or [], key=lambda o: o.get("position", 0))
    ]
    variants = []
    for position, v in enumerate(body.get("variants") or [], start=1):
        options = []
        for index in range(3):
            value = v.get(f"option{index + 1}")
            if value is not None:
                name = option_names[index] if index < len(option_names) else f"Option {index + 1}"
                options.append({"name": name, "value": value})
        variants.append({
            "shopify_variant_id": v.get("admin_graphql_api_id") or gid("ProductVariant", v["id"]),
            "sku": v.get("sku") or None,
            "barcode": v.get("barcode") or None,
            "title": v.get("title") or "Default Title",
            "position": v.get("position") or position,
            "price": money(v.get("price")) or Decimal("0.00"),
            "compare_at_price": money(v.get("compare_at_price")),
            "inventory_quantity": int(v.get("inventory_quantity") or 0),
            "inventory_item_id": gid("InventoryItem", v.get("inventory_item_id")),
            "option_values": options,
        })  # fmt: skip
    images = [
        {"url": img.get("src"), "alt": img.get("alt")} for img in body.get("images") or [] if img.get("src")
    ]
    if not images and body.get("image") and body["image"].get("src"):
        images = [{"url": body["image"]["src"], "alt": body["image"].get("alt")}]
    media = _media_from_rest(body, images)
    if media is not None:
        _variant_images_from_rest(body, media, variants)
        images = _images(media)
    product_gid = body.get("admin_graphql_api_id") or gid("Product", body["id"])
    record = _product_record(
        product_gid, body, variants, images, body.get("body_html"), body.get("product_type")
    )
    record["media"] = media
    # A body without the media, or listing fewer variants than the product has (`variant_gids` lists all):
    # what it lacks is read again by GraphQL once it is written.
    listed = body.get("variant_gids")
    record["variants_complete"] = listed is None or len(listed) <= len(variants)
    record["reread"] = media is None or not record["variants_complete"]
    return record


def _media_from_rest(body: dict, images: list[dict]) -> list[dict] | None:
    """The body's `media` (webhook versions 2024-07 and later), or None when it does not carry them all."""
    raw = body.get("media")
    if raw is None or (not raw and images):
        return None
    media = []
    for position, m in enumerate(sorted(raw, key=lambda m: m.get("position") or 0), start=1):
        preview = m.get("preview_image") or {}
        media.append({
            "position": position,
            "shopify_media_id": m.get("admin_graphql_api_id") or gid("MediaImage", m.get("id")),
            "media_type": m.get("media_content_type") or "IMAGE",
            "url": preview.get("src"),
            "alt": m.get("alt") or None,
            "variant_ids": [gid("ProductVariant", v) for v in m.get("variant_ids") or []],
        })  # fmt: skip
    return media


def _variant_images_from_rest(body: dict, media: list[dict], variants: list[dict]) -> None:
    first: dict[str, dict] = {}
    for m in media:
        for variant_gid in m.pop("variant_ids"):
            first.setdefault(variant_gid, m)
    for variant in variants:
        m = first.get(variant["shopify_variant_id"])
        variant["image_media_id"] = m["shopify_media_id"] if m else None
        variant["image_url"] = m["url"] if m else None


def _product_record(product_gid, src, variants, images, description, product_type) -> dict:
    prices = [v["price"] for v in variants if v["price"] is not None]
    return {
        "shopify_product_id": product_gid,
        "title": (src.get("title") or "Untitled")[:500],
        "handle": src.get("handle"),
        "description_html": description,
        "vendor": src.get("vendor") or None,
        "product_type": product_type or None,
        "status": _status(src.get("status")),
        "tags": _tags(src.get("tags")),
        "images": images,
        "price_min": min(prices) if prices else None,
        "price_max": max(prices) if prices else None,
        "source_updated_at": parse_time(src.get("updatedAt") or src.get("updated_at")),
        "variants": variants,
    }


def order_from_graphql(node: dict) -> dict:
    customer = node.get("customer") or {}
    billing = node.get("billingAddress") or {}
    items = []
    for line in _nodes(node.get("lineItems")):
        unit = money(line.get("originalUnitPriceSet"))
        quantity = int(line.get("quantity") or 0)
        items.append({
            "external_id": line["id"],
            "shopify_variant_id": (line.get("variant") or {}).get("id"),
            "sku": line.get("sku") or None,
            "title": line.get("title") or "Item",
            "quantity": quantity,
            "unit_price": unit,
            "total_price": unit * quantity if unit is not None else None,
        })  # fmt: skip
    email = node.get("email") or ((customer.get("defaultEmailAddress") or {}).get("emailAddress"))
    phone = (
        node.get("phone")
        or ((customer.get("defaultPhoneNumber") or {}).get("phoneNumber"))
        or billing.get("phone")
    )
    return {
        "external_id": node["id"],
        "number": node.get("name"),
        "customer_name": customer.get("displayName") or billing.get("name"),
        "customer_email": email,
        "customer_phone": phone,
        "currency": node.get("currencyCode"),
        "total_price": money(node.get("totalPriceSet")),
        "subtotal_price": money(node.get("subtotalPriceSet")),
        "financial_status": (node.get("displayFinancialStatus") or "").lower() or None,
        "fulfillment_status": (node.get("displayFulfillmentStatus") or "").lower() or None,
        "cancelled_at": parse_time(node.get("cancelledAt")),
        "checkout_token": node.get("checkoutToken") or None,
        "checkout_id": None,  # GraphQL orders name the checkout by token only
        "created_at": parse_time(node.get("createdAt")),
        "source_updated_at": parse_time(node.get("updatedAt")),
        "items": items,
        "fulfillments": [fulfillment_from_graphql(f) for f in node.get("fulfillments") or []],
        "refunds": [refund_from_graphql(r) for r in node.get("refunds") or []],
    }


def fulfillment_from_graphql(node: dict) -> dict:
    tracking = [
        {"company": t.get("company"), "number": t.get("number"), "url": t.get("url")}
        for t in node.get("trackingInfo") or []
    ]
    record = _fulfillment(node["id"], node.get("name"), node.get("status"), tracking, node.get("createdAt"),
                          node.get("updatedAt"))  # fmt: skip
    record["shipment_status"] = _shipment_status(node.get("displayStatus"))
    return record


def fulfillment_from_rest(body: dict) -> dict:
    """A fulfillment of an orders/* body, or a fulfillments/create|update body (which adds `order_id`)."""
    numbers = body.get("tracking_numbers") or (
        [body["tracking_number"]] if body.get("tracking_number") else []
    )
    urls = body.get("tracking_urls") or ([body["tracking_url"]] if body.get("tracking_url") else [])
    tracking = [
        {"company": body.get("tracking_company"), "number": number, "url": urls[i] if i < len(urls) else None}
        for i, number in enumerate(numbers)
    ]
    if not tracking and (body.get("tracking_company") or urls):
        tracking = [
            {"company": body.get("tracking_company"), "number": None, "url": urls[0] if urls else None}
        ]
    record = _fulfillment(
        body.get("admin_graphql_api_id") or gid("Fulfillment", body["id"]), body.get("name"), body.get("status"),
        tracking, body.get("created_at"), body.get("updated_at"),
    )  # fmt: skip
    record["order_id"] = gid("Order", body.get("order_id"))
    record["shipment_status"] = _shipment_status(body.get("shipment_status"))
    return record


def _shipment_status(value) -> str | None:
    """REST's `shipment_status` (`delivered`) or GraphQL's `displayStatus` (`DELIVERED`), lower case."""
    if not isinstance(value, str):
        return None
    return value.strip().lower()[:30] or None


def _fulfillment(fulfillment_gid, name, status, tracking, created, updated) -> dict:
    first = tracking[0] if tracking else {}
    return {
        "shopify_fulfillment_id": fulfillment_gid,
        "name": name,
        "status": (status or "").lower() or None,
        "tracking_company": first.get("company"),
        "tracking_number": first.get("number"),
        "tracking_url": first.get("url"),
        "tracking": tracking,
        "created_at": parse_time(created),
        "updated_at": parse_time(updated),
    }


def refund_from_graphql(node: dict) -> dict:
    total = (node.get("totalRefundedSet") or {}).get("shopMoney") or {}
    lines = [
        {"line_item_id": (line.get("lineItem") or {}).get("id"), "quantity": int(line.get("quantity") or 0),
         "subtotal": str(money(line.get("subtotalSet"))) if money(line.get("subtotalSet")) is not None else None}
        for line in _nodes(node.get("refundLineItems"))
    ]  # fmt: skip
    return {
        "shopify_refund_id": node["id"],
        "amount": money(total.get("amount")),
        "currency": total.get("currencyCode"),
        "note": node.get("note"),
        "line_items": lines,
        "created_at": parse_time(node.get("createdAt")),
    }


def refund_from_rest(body: dict) -> dict:
    """A refund of an orders/* body, or a refunds/create body (which adds `order_id`). Its amount is what its
    successful refund transactions returned, as Shopify's `totalRefundedSet` counts it."""
    transactions = [
        t
        for t in body.get("transactions") or []
        if t.get("kind") == "refund" and t.get("status") == "success"
    ]
    amounts = [money(t.get("amount")) for t in transactions]
    lines = [
        {"line_item_id": gid("LineItem", line.get("line_item_id")), "quantity": int(line.get("quantity") or 0),
         "subtotal": str(money(line.get("subtotal"))) if money(line.get("subtotal")) is not None else None}
        for line in body.get("refund_line_items") or []
    ]  # fmt: skip
    return {
        "shopify_refund_id": body.get("admin_graphql_api_id") or gid("Refund", body["id"]),
        "amount": sum((a for a in amounts if a is not None), Decimal("0.00")),
        "currency": next((t.get("currency") for t in transactions if t.get("currency")), None),
        "note": body.get("note"),
        "line_items": lines,
        "created_at": parse_time(body.get("created_at")),
        "order_id": gid("Order", body.get("order_id")),
    }


# REST's order `fulfillment_status` in GraphQL's `displayFulfillmentStatus` words (lower case), so a webhook
# and a sync page store the same value; null is an order with nothing fulfilled yet.
REST_FULFILLMENT_STATUS = {None: "unfulfilled", "partial": "partially_fulfilled"}


def _rest_fulfillment_status(body: dict) -> str | None:
    if "fulfillment_status" not in body:
        return None
    value = body["fulfillment_status"]
    return REST_FULFILLMENT_STATUS.get(value, value)


def order_from_rest(body: dict) -> dict:
    """An orders/create, orders/updated or orders/cancelled webhook body."""
    customer = body.get("customer") or {}
    billing = body.get("billing_address") or {}
    name = " ".join(p for p in (customer.get("first_name"), customer.get("last_name")) if p) or billing.get(
        "name"
    )
    items = []
    for line in body.get("line_items") or []:
        unit = money(line.get("price"))
        quantity = int(line.get("quantity") or 0)
        items.append({
            "external_id": line.get("admin_graphql_api_id") or gid("LineItem", line.get("id")),
            "shopify_variant_id": gid("ProductVariant", line.get("variant_id")),
            "sku": line.get("sku") or None,
            "title": line.get("title") or line.get("name") or "Item",
            "quantity": quantity,
            "unit_price": unit,
            "total_price": unit * quantity if unit is not None else None,
        })  # fmt: skip
    return {
        "external_id": body.get("admin_graphql_api_id") or gid("Order", body["id"]),
        "number": body.get("name"),
        "customer_name": name or None,
        "customer_email": body.get("email") or body.get("contact_email") or customer.get("email"),
        "customer_phone": body.get("phone") or customer.get("phone") or billing.get("phone"),
        "currency": body.get("currency"),
        "total_price": money(body.get("total_price")),
        "subtotal_price": money(body.get("subtotal_price")),
        "financial_status": body.get("financial_status"),
        "fulfillment_status": _rest_fulfillment_status(body),
        "cancelled_at": parse_time(body.get("cancelled_at")),
        "checkout_token": body.get("checkout_token") or None,
        "checkout_id": gid("AbandonedCheckout", body.get("checkout_id")),
        "created_at": parse_time(body.get("created_at")),
        "source_updated_at": parse_time(body.get("updated_at")),
        "items": items,
        # Absent from a body: unknown (the stored ones stay); a list: all of them.
        "fulfillments": (
            [fulfillment_from_rest(f) for f in body["fulfillments"]] if "fulfillments" in body else None
        ),
        "refunds": [refund_from_rest(r) for r in body["refunds"]] if "refunds" in body else None,
        # Not a column: WhatsApp follow-up reads it as the customer's marketing consent (app.messaging).
        "sms_marketing_consent": customer.get("sms_marketing_consent"),
    }


def collection_from_graphql(node: dict, kind: str) -> dict:
    """A node of COLLECTIONS_PAGE_QUERY (its `products` complete), of kind "custom" or "smart"."""
    return {
        "shopify_collection_id": node["id"],
        "title": (node.get("title") or "Untitled")[:500],
        "handle": node.get("handle"),
        "kind": kind,
        "source_updated_at": parse_time(node.get("updatedAt")),
        "product_gids": [p["id"] for p in _nodes(node.get("products"))],
    }
