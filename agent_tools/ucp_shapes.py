"""UCP's result shapes (Universal Commerce Protocol, release 2026-04-08) built from what the agent tools read.

Products and variants come from `agent_tools.catalog.product_cards` (the same cards, stock rule and queries
the built-in agent uses), orders from `agent_tools.orders.find_order`; this module only re-shapes them:
ids as GIDs (`gid://wagents/Product/12`), money in minor units with its currency, availability as
`{available, status}`, errors as UCP's `error_response`. Reads only.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from agent_tools.catalog import _plain
from agent_tools.registry import ToolContext
from app.extensions import db
from app.models import Integration, Order, OrderRefund, Product, ProductVariant, Workspace

UCP_VERSION = "2026-04-08"
SEARCH = "dev.ucp.shopping.catalog.search"
LOOKUP = "dev.ucp.shopping.catalog.lookup"
ORDER = "dev.ucp.shopping.order"
_GID = re.compile(r"gid://wagents/(?P<kind>Product|ProductVariant|Order)/(?P<id>\d{1,10})")
ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF",
                "XOF", "XPF"}  # fmt: skip
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}


def gid(kind: str, row_id: int) -> str:
    return f"gid://wagents/{kind}/{row_id}"


def parse_gid(value: str, kind: str) -> int | None:
    """The row id of a GID of `kind` (or of a bare number); None for anything else."""
    text = (value or "").strip()
    match = _GID.fullmatch(text)
    if match:
        return int(match["id"]) if match["kind"] == kind and int(match["id"]) < 2**31 else None
    return int(text) if text.isdigit() and len(text) <= 10 and int(text) < 2**31 else None


def exponent(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def minor(amount, currency: str) -> int:
    return max(int((Decimal(str(amount or 0)) * 10 ** exponent(currency)).to_integral_value()), 0)


def major(amount: int, currency: str | None) -> Decimal:
    return Decimal(amount) / (10 ** exponent((currency or "USD").upper()))


def ucp_meta(capability: str) -> dict:
    return {"version": UCP_VERSION, "capabilities": {capability: [{"version": UCP_VERSION}]}}


def error_response(code: str, content: str, severity: str = "recoverable") -> dict:
    return {
        "ucp": {"version": UCP_VERSION, "status": "error"},
        "messages": [{"type": "error", "code": code, "content": content, "severity": severity}],
    }


def not_found(value: str) -> dict:
    return {"type": "info", "code": "not_found", "content": value}


def _currency(product: Product) -> str:
    code = (product.currency or "").upper()
    return code if re.fullmatch(r"[A-Z]{3}", code) else "USD"


def _price(amount, currency: str) -> dict:
    return {"amount": minor(amount, currency), "currency": currency}


def _shop_hosts(ctx: ToolContext) -> dict[int, str]:
    rows = db.session.execute(
        select(Integration.id, Integration.account_id).where(
            Integration.workspace_id == ctx.workspace_id, Integration.platform == "shopify"
        )
    )
    return {iid: f"https://{domain}" for iid, domain in rows if domain}


def seller(ctx: ToolContext) -> dict:
    workspace = db.session.get(Workspace, ctx.workspace_id)
    return {"name": (workspace.name if workspace else None) or "Shop"}


def variant_shape(card_variant: dict, product: Product, seller_info: dict) -> dict:
    currency = _currency(product)
    variant = db.session.get(ProductVariant, card_variant["variant_id"])  # loaded by product_cards already
    title = (
        card_variant["title"] if card_variant["title"] not in (None, "", "Default Title") else product.title
    )
    shaped = {
        "id": gid("ProductVariant", card_variant["variant_id"]),
        "title": title,
        "description": {"plain": title},
        "price": _price(card_variant["price"], currency),
        "availability": {
            "available": card_variant["available"] > 0 and product.status == "active",
            "status": "in_stock" if card_variant["available"] > 0 else "out_of_stock",
        },  # fmt: skip
        "seller": seller_info,
    }
    if card_variant.get("sku"):
        shaped["sku"] = card_variant["sku"]
    if (
        variant is not None
        and variant.compare_at_price is not None
        and variant.compare_at_price > variant.price
    ):
        shaped["list_price"] = _price(variant.compare_at_price, currency)
    options = [
        {"name": n, "label": v}
        for n, v in card_variant["options"].items()
        if n and v and v != "Default Title"
    ]
    if options:
        shaped["options"] = options
    if variant is not None and variant.image_url:
        shaped["media"] = [{"type": "image", "url": variant.image_url}]
    return shaped


def product_shape(card: dict, ctx: ToolContext, variants: list[dict], hosts: dict[int, str]) -> dict:
    """A UCP Product from one of `product_cards`' cards and the UCP variants chosen for it."""
    product = ctx.scope.get(Product, card["product_id"])  # in the session's identity map: no query
    currency = _currency(product)
    prices = [v["price"]["amount"] for v in variants] or [minor(card["price_min"], currency)]
    shaped = {
        "id": gid("Product", product.id),
        "title": product.title,
        "description": {"plain": _plain(product.description_html) or product.title},
        "price_range": {
            "min": {"amount": min(prices), "currency": currency},
            "max": {"amount": max(prices), "currency": currency},
        },  # fmt: skip
        "variants": variants,
    }
    if product.handle:
        shaped["handle"] = product.handle
        if host := hosts.get(product.integration_id):
            shaped["url"] = f"{host}/products/{product.handle}"
    if product.product_type:
        shaped["categories"] = [{"value": product.product_type, "taxonomy": "merchant"}]
    media = [{"type": "image", "url": i["url"], **({"alt_text": i["alt"]} if i.get("alt") else {})}
             for i in product.images or [] if isinstance(i, dict) and i.get("url")]  # fmt: skip
    if media:
        shaped["media"] = media[:20]
    if card["options"]:
        shaped["options"] = [
            {"name": n, "values": [{"label": v} for v in values]} for n, values in card["options"].items()
        ]
    if tags := [t.strip() for t in (product.tags or "").split(",") if t.strip()]:
        shaped["tags"] = tags
    return shaped


def hosts_and_seller(ctx: ToolContext) -> tuple[dict[int, str], dict]:
    return _shop_hosts(ctx), seller(ctx)


def _line_status(total: int, fulfilled: int) -> str:
    if total == 0:
        return "removed"
    return "fulfilled" if fulfilled >= total else "partial" if fulfilled else "processing"


def order_shape(order: Order) -> dict:
    """UCP's Order for one of ours. There is no checkout session here: `checkout_id` is the order's own id."""
    currency = (order.currency or "USD").upper()
    fulfilled_all = (order.fulfillment_status or "").lower() == "fulfilled"
    lines = []
    for item in order.items:
        amount = minor(item.total_price, currency)
        fulfilled = item.quantity if fulfilled_all else 0
        item_id = (
            gid("ProductVariant", item.variant_id) if item.variant_id else (item.sku or f"line-{item.id}")
        )
        lines.append({
            "id": f"li_{item.id}",
            "item": {"id": item_id, "title": item.title, "price": minor(item.unit_price, currency)},
            "quantity": {"original": item.quantity, "total": item.quantity, "fulfilled": fulfilled},
            "totals": [{"type": "subtotal", "amount": amount}, {"type": "total", "amount": amount}],
            "status": _line_status(item.quantity, fulfilled),
        })  # fmt: skip
    adjustments = []
    if order.status == "cancelled" or order.cancelled_at is not None:
        when = order.cancelled_at or order.updated_at
        adjustments.append({"id": f"cancel_{order.id}", "type": "cancellation", "status": "completed",
                            "occurred_at": when.isoformat().replace("+00:00", "Z")})  # fmt: skip
    for refund in db.session.scalars(select(OrderRefund).where(OrderRefund.order_id == order.id)):
        entry = {"id": f"refund_{refund.id}", "type": "refund", "status": "completed",
                 "occurred_at": (refund.created_at or order.updated_at).isoformat().replace("+00:00", "Z")}  # fmt: skip
        if refund.amount is not None:
            entry["totals"] = [{"type": "total", "amount": minor(refund.amount, currency)}]
        adjustments.append(entry)
    shaped = {
        "ucp": ucp_meta(ORDER),
        "id": gid("Order", order.id),
        "label": order.number or f"#{order.id}",
        "checkout_id": gid("Order", order.id),
        "permalink_url": f"{current_app.config['APP_URL']}/orders/{order.id}",
        "line_items": lines,
        "fulfillment": {},
        "currency": currency,
        "totals": [
            {"type": "subtotal", "amount": minor(order.subtotal_price, currency)},
            {"type": "total", "amount": minor(order.total_price, currency)},
        ],  # fmt: skip
    }
    if adjustments:
        shaped["adjustments"] = adjustments
    return shaped
