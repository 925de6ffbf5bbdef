"""Row factories shared by the API and products tests: products with variants, categories, reservations and
platform sync state, and a second workspace."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.models import Product, ProductCategory, ProductVariant, Reservation
from app.models.types import utcnow


@pytest.fixture
def make_product(db):
    counter = iter(range(1, 100_000))

    def make(
        workspace,
        title=None,
        *,
        vendor=None,
        tags=None,
        sku=None,
        price="10.00",
        quantity=5,
        status="active",
        category=None,
        platform_sync=None,
        updated_at=None,
        variants=1,
        shopify_id=None,
    ) -> Product:
        n = next(counter)
        product = Product(
            workspace_id=workspace.id, title=title or f"Product {n:04d}", vendor=vendor, tags=tags, status=status,
            category_id=category.id if category else None, platform_sync=platform_sync or {}, currency="EUR",
            price_min=Decimal(price), price_max=Decimal(price), images=[], shopify_product_id=shopify_id,
        )  # fmt: skip
        for i in range(variants):
            product.variants.append(
                ProductVariant(
                    workspace_id=workspace.id,
                    sku=(sku if i == 0 else None) or f"SKU-{n}-{i}",
                    title="Default Title" if variants == 1 else f"V{i}",
                    position=i + 1,
                    price=Decimal(price),
                    inventory_quantity=quantity,
                )  # fmt: skip
            )
        db.session.add(product)
        db.session.commit()
        if updated_at is not None:
            product.updated_at = updated_at
            db.session.commit()
        return product

    return make


@pytest.fixture
def make_category(db):
    def make(workspace, name="Shoes") -> ProductCategory:
        category = ProductCategory(workspace_id=workspace.id, name=name, slug=name.lower())
        db.session.add(category)
        db.session.commit()
        return category

    return make


@pytest.fixture
def reserve(db):
    def make(variant, quantity, status="active", minutes=30) -> Reservation:
        row = Reservation(workspace_id=variant.workspace_id, variant_id=variant.id, quantity=quantity, status=status,
                          expires_at=utcnow() + timedelta(minutes=minutes))  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return row

    return make


@pytest.fixture
def other_workspace(make_user):
    return make_user("intruder@example.com").workspace
