"""Platform tools: shopify_get_product_live, whatsapp_send_product, whatsapp_send_product_list,
facebook_catalog_status, handoff_to_human.

Outside APIs are reached only through `app.integrations.clients` (clients built from the workspace's own
integrations) and `app.platforms`. WhatsApp sends go to the context's conversation customer only, inside the
24-hour window, and are stored as outbound messages on that conversation. In `dry_run` (the CLI) nothing is
sent: the tool answers with what it would send.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from agent_tools.catalog import load_product, money, product_cards, retailer_id
from agent_tools.registry import ToolContext, ToolError, tool
from app.extensions import db
from app.integrations.clients import shopify_client, whatsapp_client
from app.models import Alert, Conversation, Integration, Message, Product, ProductVariant
from app.models.types import utcnow
from app.params import DbId, Text
from app.platforms.whatsapp import Recipient

WINDOW = timedelta(hours=24)


def integration_for(
    ctx: ToolContext, platform: str, *, conversation: Conversation | None = None
) -> Integration:
    if conversation is not None and conversation.integration_id:
        found = ctx.scope.get(Integration, conversation.integration_id)
        if found is not None and found.platform == platform:
            return found
    criteria = [Integration.platform == platform]
    if conversation is not None:
        criteria.append(Integration.account_id == conversation.channel_id)
    found = ctx.scope.all(Integration, *criteria)
    if not found:
        raise ToolError("not_connected", f"This shop has no {platform} connection.")
    return found[0]


def window_open(conversation: Conversation, now=None) -> bool:
    """WhatsApp accepts free-form (non-template) messages only within 24 h of the customer's last message."""
    last = conversation.last_inbound_at
    return last is not None and (now or utcnow()) - last < WINDOW


def catalog_id_for(ctx: ToolContext, whatsapp: Integration) -> str:
    catalog_id = (whatsapp.config or {}).get("catalog_id")
    if not catalog_id:
        facebook = ctx.scope.all(Integration, Integration.platform == "facebook")
        catalog_id = next(((i.config or {}).get("catalog_id") for i in facebook if (i.config or {}).get("catalog_id")), None)  # fmt: skip
    if not catalog_id:
        raise ToolError(
            "no_catalog", "No Meta catalog is linked to this WhatsApp number; describe products in text."
        )
    return str(catalog_id)


def _whatsapp_target(ctx: ToolContext):
    conversation = ctx.conversation()
    if conversation is None or conversation.platform != "whatsapp":
        if ctx.dry_run:
            return None, None
        raise ToolError("no_conversation", "There is no WhatsApp customer in this chat; answer in text.")
    if not window_open(conversation):
        raise ToolError(
            "window_closed", "The 24-hour WhatsApp window is closed; only a human can re-open it."
        )
    return conversation, integration_for(ctx, "whatsapp", conversation=conversation)


def _deliver(
    ctx: ToolContext, conversation, integration, kind: str, summary: str, payload: dict, send
) -> dict:
    if conversation is None or ctx.dry_run:
        ctx.sent.append({"type": kind, "body": summary, "payload": payload, "sent": False})
        return {"sent": False, "dry_run": True, "would_send": payload}
    recipient = Recipient(wa_id=conversation.customer_wa_id, user_id=conversation.customer_user_id)
    sent = send(whatsapp_client(integration), recipient)
    now = utcnow()
    message = Message(conversation_id=conversation.id, direction="out", type="interactive", body=summary,
                      payload=payload, platform_message_id=sent.message_id or None, status="sent")  # fmt: skip
    db.session.add(message)
    conversation.last_message_at = now
    db.session.commit()
    ctx.sent.append(
        {"type": kind, "body": summary, "payload": payload, "sent": True, "message_id": message.id}
    )
    return {"sent": True, "message_id": sent.message_id}


class ShopifyLiveInput(BaseModel):
    """Read one product fresh from Shopify (price, stock, status right now), e.g. when the customer doubts."""

    product_id: DbId = Field(description="The product_id from product_search.")


@tool(
    "shopify_get_product_live",
    ShopifyLiveInput,
    ShopifyLiveInput.__doc__,
    scope="catalog:read",
    read_only=True,
    open_world=True,
)
def shopify_get_product_live(args: ShopifyLiveInput, ctx: ToolContext) -> dict:
    product = load_product(ctx, args.product_id)
    if not product.shopify_product_id:
        raise ToolError("not_from_shopify", "This product was not imported from Shopify.")
    live = shopify_client(integration_for(ctx, "shopify")).get_product(product.shopify_product_id)
    if live is None:
        return {"product_id": product.id, "exists_in_shopify": False}
    variants = []
    for node in (live.get("variants") or {}).get("nodes") or []:
        variants.append({
            "sku": node.get("sku"), "title": node.get("title"), "price": node.get("price"),
            "inventory_quantity": node.get("inventoryQuantity"), "retailer_id": _safe_retailer(node.get("id")),
        })  # fmt: skip
    return {"product_id": product.id, "exists_in_shopify": True, "title": live.get("title"),
            "status": live.get("status"), "updated_at": live.get("updatedAt"), "variants": variants}  # fmt: skip


def _safe_retailer(gid) -> str | None:
    fake = ProductVariant(shopify_variant_id=gid)
    return retailer_id(fake)


class SendProductInput(BaseModel):
    """Send the customer one product as a WhatsApp catalog card they can view and add to their cart."""

    product_id: DbId = Field(description="The product to show.")
    variant_id: DbId | None = Field(None, description="A specific variant; null for the first one in stock.")
    body: Text(4096) | None = Field(None, description="A short line shown with the card.")


@tool(
    "whatsapp_send_product",
    SendProductInput,
    SendProductInput.__doc__,
    scope="messages:send",
    read_only=False,
    open_world=True,
)
def whatsapp_send_product(args: SendProductInput, ctx: ToolContext) -> dict:
    conversation, integration = _whatsapp_target(ctx)
    product = load_product(ctx, args.product_id)
    card = product_cards(ctx, [product.id], max_variants=100)[0]
    chosen = [v for v in card["variants"] if args.variant_id in (None, v["variant_id"])]
    if args.variant_id is not None and not chosen:
        raise ToolError("not_found", f"Variant {args.variant_id} is not a variant of {product.title}.")
    chosen.sort(key=lambda v: v["available"] <= 0)  # in-stock first, order kept otherwise
    rid = next((v["retailer_id"] for v in chosen if v["retailer_id"]), None)
    if not rid:
        raise ToolError(
            "not_in_catalog", f"{product.title} is not in the WhatsApp catalog; describe it in text."
        )
    catalog_id = catalog_id_for(ctx, integration) if integration else "dry-run"
    body = (args.body or "").strip() or None
    payload = {"interactive": "product", "catalog_id": catalog_id, "product_retailer_id": rid, "body": body}

    def send(client, recipient):
        return client.send_product(recipient, catalog_id, rid, body=body)

    return _deliver(ctx, conversation, integration, "product", body or product.title, payload, send)


class SendProductListInput(BaseModel):
    """Send the customer several products (up to 30) as one WhatsApp catalog list message."""

    product_ids: list[DbId] = Field(min_length=1, max_length=30, description="Products to show, best first.")
    header: Text(4096) = Field(description="List header, up to 60 characters.")
    body: Text(4096) = Field(description="A short sentence shown above the list.")
    section_title: Text(4096) | None = Field(None, description="Section title, up to 24 characters.")


@tool(
    "whatsapp_send_product_list",
    SendProductListInput,
    SendProductListInput.__doc__,
    scope="messages:send",
    read_only=False,
    open_world=True,
)
def whatsapp_send_product_list(args: SendProductListInput, ctx: ToolContext) -> dict:
    conversation, integration = _whatsapp_target(ctx)
    cards = product_cards(ctx, list(dict.fromkeys(args.product_ids)))
    ids = [c["retailer_id"] for c in cards if c["retailer_id"]]
    if not ids:
        raise ToolError("not_in_catalog", "None of these products is in the WhatsApp catalog.")
    catalog_id = catalog_id_for(ctx, integration) if integration else "dry-run"
    sections = [
        {"title": (args.section_title or "Products").strip()[:24] or "Products", "product_retailer_ids": ids}
    ]
    header, body = args.header.strip() or "Products", args.body.strip() or "Have a look"
    payload = {
        "interactive": "product_list",
        "catalog_id": catalog_id,
        "header": header,
        "sections": sections,
    }

    def send(client, recipient):
        return client.send_product_list(recipient, catalog_id, header=header, body=body, sections=sections)

    result = _deliver(ctx, conversation, integration, "product_list", body, payload, send)
    skipped = [c["product_id"] for c in cards if not c["retailer_id"]]
    return {**result, "products_sent": len(ids), "skipped_not_in_catalog": skipped}


class CatalogStatusInput(BaseModel):
    """What is pushed to the Meta (Facebook/Instagram/WhatsApp) catalog: for one product or the whole shop."""

    product_id: DbId | None = Field(None, description="A product to check; null for the shop summary.")


@tool(
    "facebook_catalog_status",
    CatalogStatusInput,
    CatalogStatusInput.__doc__,
    scope="catalog:read",
    read_only=True,
)
def facebook_catalog_status(args: CatalogStatusInput, ctx: ToolContext) -> dict:
    integrations = ctx.scope.all(Integration, Integration.platform == "facebook")
    connection = integrations[0] if integrations else None
    summary = {
        "connected": bool(connection and connection.status == "connected"),
        "status": connection.status if connection else "disconnected",
        "status_message": connection.status_message if connection else None,
        "catalog_id": (connection.config or {}).get("catalog_id") if connection else None,
        "last_sync_at": connection.last_sync_at if connection else None,
    }
    if args.product_id is None:
        active = ctx.scope.count(Product, Product.deleted_at.is_(None), Product.status == "active")
        return {**summary, "active_products": active}
    product = load_product(ctx, args.product_id)
    card = product_cards(ctx, [product.id], max_variants=100)[0]
    facebook = (product.platform_sync or {}).get("facebook") or {}
    return {
        **summary,
        "product_id": product.id,
        "title": product.title,
        # Written by the catalog push job (app/sync/jobs.py): pending, pushed, error or deleted.
        "push_status": facebook.get("status") or "never_pushed",
        "pushed_at": facebook.get("pushed_at"),
        "push_error": facebook.get("error"),
        "items": [
            {"retailer_id": v["retailer_id"], "price": v["price"], "available": v["available"]}
            for v in card["variants"]
            if v["retailer_id"]
        ],  # fmt: skip
        "price_range": [money(product.price_min), money(product.price_max)],
    }


class HandoffInput(BaseModel):
    """Hand the conversation to a human: the agent stops answering and the merchant is alerted."""

    reason: Text(2000) = Field(description="Why a human is needed, in one sentence for the merchant.")


@tool(
    "handoff_to_human",
    HandoffInput,
    HandoffInput.__doc__,
    scope="messages:send",
    read_only=False,
    idempotent=True,
)
def handoff_to_human(args: HandoffInput, ctx: ToolContext) -> dict:
    conversation = ctx.conversation()
    reason = args.reason.strip()[:500] or "The agent asked for help."
    if conversation is None:
        return {"handed_off": True, "note": "No conversation (developer chat): nothing to hand off."}
    conversation.status = "waiting_human"
    who = conversation.customer_name or conversation.customer_phone or conversation.customer_key
    ctx.scope.add(
        Alert(level="info", source="agent", message=f"Conversation with {who} needs a human: {reason}")
    )
    db.session.commit()
    return {"handed_off": True, "conversation_status": conversation.status}
