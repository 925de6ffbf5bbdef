"""Factories for inventory tests: a product with stock, an order, a connected Shopify store (custom app token)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
import responses

from app.models import Integration, Order, Product, ProductVariant

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHOP = "casa-nova.myshopify.com"
GRAPHQL_URL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
ITEM_GID = "gid://shopify/InventoryItem/55001"
LOCATION_GID = "gid://shopify/Location/346779380"


def load(kind: str, name: str):
    return json.loads((FIXTURES / kind / name).read_text())


@pytest.fixture
def make_variant(db):
    counter = iter(range(1, 10_000))

    def make(workspace, quantity: int = 10, inventory_item_id: str | None = None) -> ProductVariant:
        n = next(counter)
        product = Product(workspace_id=workspace.id, title=f"Mug {n}", currency="EUR")
        variant = ProductVariant(
            workspace_id=workspace.id,
            product=product,
            title="Default Title",
            sku=f"MUG-{n}",
            price=Decimal("12.00"),
            inventory_quantity=quantity,
            inventory_item_id=inventory_item_id,
        )
        db.session.add_all([product, variant])
        db.session.commit()
        return variant

    return make


@pytest.fixture
def make_order(db):
    def make(workspace, status: str = "draft") -> Order:
        order = Order(workspace_id=workspace.id, source_platform="whatsapp", status=status)
        db.session.add(order)
        db.session.commit()
        return order

    return make


@pytest.fixture
def shopify_store(db, workspace) -> Integration:
    integration = Integration(
        workspace_id=workspace.id,
        platform="shopify",
        account_id=SHOP,
        status="connected",
        config={"shop_domain": SHOP, "location_id": LOCATION_GID},
    )
    integration.set_secrets(access_token="shpat_test_custom_app_token")
    db.session.add(integration)
    db.session.commit()
    return integration


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def sent(call) -> dict:
    return json.loads(call.request.body)
