"""One mapping from Shopify's shapes to plain records: GraphQL nodes (paged or bulk) and REST webhook bodies.

Records are plain dicts with the columns the writers store; they carry Shopify GIDs so that every source agrees
on identity (REST bodies carry numeric ids, which become GIDs here).
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
    """A product node of PRODUCTS_PAGE_QUERY / PRODUCT_BY_ID_QUERY / the bulk export."""
    variants = []
    for position, v in enumerate(_nodes(node.get("variants")), start=1):
        variants.append({
            "shopify_variant_id": v["id"],
            "sku": v.get("sku") or None,
            "title": v.get("title") or "Default Title",
            "position": position,
            "price": money(v.get("price")) or Decimal("0.00"),
            "compare_at_price": money(v.get("compareAtPrice")),
            "inventory_quantity": int(v.get("inventoryQuantity") or 0),
            "inventory_item_id": (v.get("inventoryItem") or {}).get("id"),
            "option_values": [{"name": o["name"], "value": o["value"]} for o in v.get("selectedOptions") or []],
        })  # fmt: skip
    images = []
    for media in _nodes(node.get("media")):
        image = media.get("image") or (media.get("preview") or {}).get("image")
        if image and image.get("url"):
            images.append({"url": image["url"], "alt": image.get("altText")})
    return _product_record(
        node["id"], node, variants, images, node.get("descriptionHtml"), node.get("productType")
    )


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
    product_gid = body.get("admin_graphql_api_id") or gid("Product", body["id"])
    return _product_record(
        product_gid, body, variants, images, body.get("body_html"), body.get("product_type")
    )


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
        "subtotal_price": None,
        "financial_status": (node.get("displayFinancialStatus") or "").lower() or None,
        "fulfillment_status": (node.get("displayFulfillmentStatus") or "").lower() or None,
        "cancelled_at": parse_time(node.get("cancelledAt")),
        "created_at": parse_time(node.get("createdAt")),
        "source_updated_at": parse_time(node.get("updatedAt")),
        "items": items,
    }


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
        "fulfillment_status": body.get("fulfillment_status"),
        "cancelled_at": parse_time(body.get("cancelled_at")),
        "created_at": parse_time(body.get("created_at")),
        "source_updated_at": parse_time(body.get("updated_at")),
        "items": items,
    }
