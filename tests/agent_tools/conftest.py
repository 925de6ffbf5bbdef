"""Catalog, conversation and WhatsApp-integration factories for the agent tool tests."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
import responses

from agent_tools import ToolContext
from app.models import Conversation, Integration, Message, Product, ProductCategory, ProductVariant
from app.models.types import utcnow

PHONE_ID = "106540352242922"
CATALOG_ID = "1234567890123456"
MESSAGES_URL = f"https://graph.facebook.com/v25.0/{PHONE_ID}/messages"
_ids = itertools.count(1001)


@pytest.fixture
def make_product(db):
    def make(workspace, title, *, variants=None, category=None, status="active", **fields):
        n = next(_ids)
        variants = variants if variants is not None else [{"price": "10.00", "qty": 5}]
        product = Product(
            workspace_id=workspace.id, title=title, handle=title.lower().replace(" ", "-"), status=status,
            currency=fields.pop("currency", "EUR"), shopify_product_id=f"gid://shopify/Product/{n}",
            images=[{"url": f"https://cdn.example.com/{n}.jpg", "alt": title}], platform_sync={}, **fields,
        )  # fmt: skip
        if category:
            found = db.session.query(ProductCategory).filter_by(
                workspace_id=workspace.id, slug=category.lower()
            )
            product.category = found.first() or ProductCategory(
                workspace_id=workspace.id, name=category, slug=category.lower()
            )
        for i, v in enumerate(variants):
            options = [{"name": k, "value": val} for k, val in (v.get("options") or {}).items()]
            product.variants.append(
                ProductVariant(
                    workspace_id=workspace.id,
                    sku=v.get("sku"),
                    title=v.get("title", "Default Title"),
                    position=i + 1,
                    price=Decimal(v["price"]),
                    inventory_quantity=v.get("qty", 5),
                    shopify_variant_id=v.get("shopify_id", f"gid://shopify/ProductVariant/{n * 100 + i}"),
                    inventory_item_id=f"gid://shopify/InventoryItem/{n * 100 + i}",
                    option_values=options,
                )  # fmt: skip
            )
        prices = [Decimal(v["price"]) for v in variants] or [Decimal("0")]
        product.price_min, product.price_max = min(prices), max(prices)
        db.session.add(product)
        db.session.commit()
        return product

    return make


@pytest.fixture
def other_workspace(make_user):
    return make_user("other@example.com", workspace="Other shop").workspace


@pytest.fixture
def ctx(workspace):
    return ToolContext(workspace.id)


@pytest.fixture
def make_conversation(db):
    def make(workspace, *, wa_id="16505551234", user_id=None, inbound_ago=timedelta(minutes=5), catalog=True):
        integration = db.session.query(Integration).filter_by(workspace_id=workspace.id, platform="whatsapp")
        integration = integration.first()
        if integration is None:
            config = {"phone_number_id": PHONE_ID, **({"catalog_id": CATALOG_ID} if catalog else {})}
            integration = Integration(workspace_id=workspace.id, platform="whatsapp", account_id=PHONE_ID,
                                      status="connected", config=config)  # fmt: skip
            integration.set_secrets(access_token="EAAG-test-token")
            db.session.add(integration)
            db.session.flush()
        at = utcnow() - inbound_ago
        conversation = Conversation(
            workspace_id=workspace.id, integration_id=integration.id, platform="whatsapp", channel_id=PHONE_ID,
            customer_key=wa_id or user_id, customer_wa_id=wa_id, customer_user_id=user_id,
            customer_phone=f"+{wa_id}" if wa_id else None, customer_name="Ana", status="open",
            last_inbound_at=at, last_message_at=at,
        )  # fmt: skip
        db.session.add(conversation)
        db.session.commit()
        return conversation

    return make


def add_inbound(db, conversation, body: str) -> Message:
    message = Message(conversation_id=conversation.id, direction="in", type="text", body=body,
                      platform_message_id=f"wamid.in.{next(_ids)}", status="received")  # fmt: skip
    db.session.add(message)
    conversation.last_inbound_at = conversation.last_message_at = utcnow()
    db.session.commit()
    return message


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
