"""Field-by-field comparison of what the database holds with what the shop holds (its GraphQL nodes)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Order, OrderFulfillment, OrderItem, OrderRefund, Product, ProductMedia, ProductVariant
from app.sync.mapping import parse_time


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def product_differences(workspace_id: int, node: dict, *, variant_images: bool = True) -> list[str]:
    """Every field of a product, its variants and its media, against the shop's node; [] when equal."""
    db.session.expire_all()
    product = db.session.scalars(
        select(Product).where(Product.workspace_id == workspace_id, Product.shopify_product_id == node["id"])
    ).one()
    diffs = []

    def check(what, stored, source):
        if stored != source:
            diffs.append(f"{what}: stored {stored!r}, shop {source!r}")

    check("title", product.title, node["title"])
    check("handle", product.handle, node["handle"])
    check("description", product.description_html, node["descriptionHtml"])
    check("vendor", product.vendor, node["vendor"])
    check("type", product.product_type, node["productType"])
    check("status", product.status, node["status"].lower())
    check("tags", product.tags, ", ".join(node["tags"]))
    check("updated", product.source_updated_at, parse_time(node["updatedAt"]))
    media = db.session.scalars(
        select(ProductMedia).where(ProductMedia.product_id == product.id).order_by(ProductMedia.position)
    ).all()
    check("media count", len(media), len(node["media"]))
    for position, (row, m) in enumerate(zip(media, node["media"], strict=False), start=1):
        image = m.get("image") or {}
        check(f"media {position} position", row.position, position)
        check(f"media {position} id", row.shopify_media_id, m["id"])
        check(f"media {position} type", row.media_type, m["mediaContentType"])
        check(f"media {position} url", row.url, image.get("url"))
        check(f"media {position} alt", row.alt, m.get("alt") or image.get("altText"))
    images = [
        {"url": m["image"]["url"], "alt": m["image"]["altText"] or None}
        for m in node["media"]
        if m.get("image")
    ]
    check("images", [{"url": i["url"], "alt": i["alt"] or None} for i in product.images], images)
    variants = db.session.scalars(
        select(ProductVariant)
        .where(ProductVariant.product_id == product.id)
        .order_by(ProductVariant.position)
    ).all()
    check("variant count", len(variants), len(node["variants"]))
    urls = {m["id"]: (m.get("image") or {}).get("url") for m in node["media"]}
    for position, (row, v) in enumerate(zip(variants, node["variants"], strict=False), start=1):
        check(f"variant {position} id", row.shopify_variant_id, v["id"])
        check(f"variant {position} position", row.position, position)
        check(f"variant {position} sku", row.sku, v["sku"])
        check(f"variant {position} title", row.title, v["title"])
        check(f"variant {position} price", row.price, _money(v["price"]))
        check(f"variant {position} compare", row.compare_at_price, _money(v["compareAtPrice"]))
        check(f"variant {position} quantity", row.inventory_quantity, v["inventoryQuantity"])
        check(f"variant {position} item", row.inventory_item_id, v["inventoryItem"]["id"])
        check(f"variant {position} options", row.option_values, v["selectedOptions"])
        if variant_images:
            own = v["media"]["nodes"][0]["id"] if v["media"]["nodes"] else None
            check(f"variant {position} image id", row.image_media_id, own)
            check(f"variant {position} image url", row.image_url, urls.get(own))
    return diffs


def order_differences(workspace_id: int, node: dict) -> list[str]:
    """Every field of an order, its line items, fulfillments and refunds, against the shop's node."""
    db.session.expire_all()
    order = db.session.scalars(
        select(Order).where(Order.workspace_id == workspace_id, Order.external_id == node["id"])
    ).one()
    diffs = []

    def check(what, stored, source):
        if stored != source:
            diffs.append(f"{what}: stored {stored!r}, shop {source!r}")

    check("number", order.number, node["name"])
    check("total", order.total_price, _money(node["totalPriceSet"]["shopMoney"]["amount"]))
    check("financial", order.financial_status, node["displayFinancialStatus"].lower())
    check("fulfillment", order.fulfillment_status, node["displayFulfillmentStatus"].lower())
    check("updated", order.source_updated_at, parse_time(node["updatedAt"]))
    items = db.session.scalars(
        select(OrderItem).where(OrderItem.order_id == order.id).order_by(OrderItem.id)
    ).all()
    check("line item count", len(items), len(node["lineItems"]))
    variant_ids = dict(db.session.execute(select(ProductVariant.shopify_variant_id, ProductVariant.id)).all())
    for n, (row, line) in enumerate(zip(items, node["lineItems"], strict=False), start=1):
        unit = _money(line["originalUnitPriceSet"]["shopMoney"]["amount"])
        check(f"line {n} id", row.external_id, line["id"])
        check(f"line {n} sku", row.sku, line["sku"])
        check(f"line {n} title", row.title, line["title"])
        check(f"line {n} quantity", row.quantity, line["quantity"])
        check(f"line {n} unit", row.unit_price, unit)
        check(f"line {n} total", row.total_price, unit * line["quantity"])
        check(f"line {n} variant", row.variant_id, variant_ids.get(line["variant"]["id"]))
    fulfillments = db.session.scalars(
        select(OrderFulfillment)
        .where(OrderFulfillment.order_id == order.id)
        .order_by(OrderFulfillment.created_at)
    ).all()
    check("fulfillment count", len(fulfillments), len(node["fulfillments"]))
    for row, f in zip(fulfillments, node["fulfillments"], strict=False):
        first = f["trackingInfo"][0] if f["trackingInfo"] else {}
        check(f"{f['id']} status", row.status, f["status"].lower())
        check(f"{f['id']} name", row.name, f["name"])
        check(f"{f['id']} company", row.tracking_company, first.get("company"))
        check(f"{f['id']} number", row.tracking_number, first.get("number"))
        check(f"{f['id']} url", row.tracking_url, first.get("url"))
        check(f"{f['id']} tracking", row.tracking, f["trackingInfo"])
        check(f"{f['id']} created", row.created_at, parse_time(f["createdAt"]))
        check(f"{f['id']} updated", row.updated_at, parse_time(f["updatedAt"]))
    refunds = db.session.scalars(select(OrderRefund).where(OrderRefund.order_id == order.id)).all()
    check("refund count", len(refunds), len(node["refunds"]))
    for row, r in zip(refunds, node["refunds"], strict=False):
        check(f"{r['id']} amount", row.amount, _money(r["totalRefundedSet"]["shopMoney"]["amount"]))
        check(f"{r['id']} currency", row.currency, r["totalRefundedSet"]["shopMoney"]["currencyCode"])
        check(f"{r['id']} note", row.note, r["note"])
        check(f"{r['id']} created", row.created_at, parse_time(r["createdAt"]))
        lines = [{"line_item_id": li["lineItem"]["id"], "quantity": li["quantity"],
                  "subtotal": str(_money(li["subtotalSet"]["shopMoney"]["amount"]))} for li in r["refundLineItems"]]  # fmt: skip
        check(f"{r['id']} lines", row.line_items, lines)
    return diffs
