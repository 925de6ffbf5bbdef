"""Sorting by stock walks `product_stock` (kept by database triggers) and corrects the products with active
reservations: every page equals the full computation of available stock it replaces, in both directions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.catalog import listing
from app.extensions import db
from app.models import Product, ProductStock, ProductVariant, Reservation
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.services import products as service
from tests.products.paging import walk

# (quantities of the variants) per product; ties, zero, negative (oversold) and empty products on purpose.
STOCKS = [(5,), (3, 4), (0,), (7,), (2, -3), (), (6, 1), (4,), (1, 1, 1), (9,), (0, 0), (8,)]


def _catalog(workspace, make_product) -> list[Product]:
    made = []
    for n, quantities in enumerate(STOCKS):
        product = make_product(workspace, f"P{n}", quantity=quantities[0] if quantities else 0)
        for extra, quantity in enumerate(quantities[1:], start=2):
            db.session.add(
                ProductVariant(
                    workspace_id=workspace.id,
                    product_id=product.id,
                    sku=f"P{n}-{extra}",
                    position=extra,
                    inventory_quantity=quantity,
                )  # fmt: skip
            )
        if not quantities:
            db.session.execute(delete(ProductVariant).where(ProductVariant.product_id == product.id))
        made.append(product)
    db.session.commit()
    return made


def _reserve(workspace, product: Product, quantity: int, *, expired: bool = False, status: str = "active"):
    variant = db.session.scalars(
        select(ProductVariant).where(ProductVariant.product_id == product.id).order_by(ProductVariant.id)
    ).first()
    expires = utcnow() + (timedelta(hours=-1) if expired else timedelta(hours=1))
    db.session.add(Reservation(workspace_id=workspace.id, variant_id=variant.id, quantity=quantity,
                               status=status, expires_at=expires))  # fmt: skip
    db.session.commit()


def _expected(workspace, desc: bool) -> list[int]:
    """The old full computation: available stock of every product, sorted, id as the tie-breaker."""
    sort = listing.stock_sort_expression()
    order = (sort.desc(), Product.id.desc()) if desc else (sort.asc(), Product.id.asc())
    stmt = select(Product.id).where(Product.workspace_id == workspace.id, Product.deleted_at.is_(None))
    return list(db.session.scalars(stmt.order_by(*order)))


def _walk(workspace, sort: str, limit: int) -> list[int]:
    return walk(workspace, sort, limit)


def _stored_matches_variants(workspace) -> None:
    clamp = ProductVariant.inventory_quantity
    truth = {}
    for product_id, quantity in db.session.execute(select(ProductVariant.product_id, clamp)):
        truth[product_id] = truth.get(product_id, 0) + max(quantity, 0)
    stored = dict(db.session.execute(select(ProductStock.product_id, ProductStock.on_hand)).all())
    products = db.session.scalars(select(Product.id).where(Product.workspace_id == workspace.id))
    assert stored == {pid: truth.get(pid, 0) for pid in products}


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
@pytest.mark.parametrize("sort", ["stock", "-stock"])
def test_stock_pages_equal_the_full_computation_with_reservations(workspace, make_product, sort, limit):
    made = _catalog(workspace, make_product)
    _reserve(workspace, made[9], 6)  # 9 -> 3: drops below several products
    _reserve(workspace, made[3], 7)  # 7 -> 0
    _reserve(workspace, made[1], 1)  # 7 -> 6: ties with P6
    _reserve(workspace, made[0], 9)  # more than on hand: 0, never negative
    _reserve(workspace, made[11], 5, expired=True)  # expired: still 8
    _reserve(workspace, made[7], 4, status="released")  # released: still 4
    expected = _expected(workspace, sort.startswith("-"))
    assert len(expected) == len(STOCKS)
    assert _walk(workspace, sort, limit) == expected


def test_stored_totals_follow_every_kind_of_variant_write(workspace, make_product):
    made = _catalog(workspace, make_product)
    _stored_matches_variants(workspace)
    db.session.execute(update(ProductVariant).where(ProductVariant.product_id == made[0].id).values(
        inventory_quantity=ProductVariant.inventory_quantity + 10))  # fmt: skip
    db.session.execute(
        update(ProductVariant).values(inventory_quantity=ProductVariant.inventory_quantity - 2)
    )
    variant = db.session.scalars(
        select(ProductVariant).where(ProductVariant.product_id == made[1].id)
    ).first()
    variant.product_id = made[2].id  # moved to another product
    db.session.flush()
    db.session.execute(delete(ProductVariant).where(ProductVariant.product_id == made[9].id))
    db.session.delete(db.session.get(Product, made[6].id))
    db.session.commit()
    _stored_matches_variants(workspace)
    assert _walk(workspace, "-stock", 4) == _expected(workspace, True)


def test_every_product_has_one_stored_total_whatever_its_transaction_did(workspace, make_product):
    made = _catalog(workspace, make_product)
    # Inserted and deleted before commit: nothing to count, and the commit must not trip over it.
    gone = Product(workspace_id=workspace.id, title="gone", images=[], platform_sync={})
    gone.variants.append(ProductVariant(workspace_id=workspace.id, sku="GONE-1", inventory_quantity=3))
    db.session.add(gone)
    db.session.flush()
    db.session.delete(gone)
    db.session.commit()
    stored = dict(db.session.execute(select(ProductStock.product_id, ProductStock.on_hand)).all())
    assert sorted(stored) == sorted(p.id for p in made)
    _stored_matches_variants(workspace)


@pytest.mark.parametrize("limit", [1, 3, 50])
@pytest.mark.parametrize("sort", ["stock", "-stock"])
def test_held_products_go_through_the_list_filters(workspace, make_product, sort, limit):
    made = _catalog(workspace, make_product)
    for n in (1, 3, 9, 11):
        _reserve(workspace, made[n], 2)
    for n in (3, 4, 9):  # two of them held
        made[n].status = "draft"
    db.session.commit()
    scope, seen, cursor = WorkspaceScope(workspace.id), [], ""
    while True:
        args = {"sort": sort, "limit": str(limit), "cursor": cursor, "status": "active"}
        page = service.list_products(scope, service.parse_params(args))
        seen += [p.id for p in page.products]
        cursor = page.next_cursor
        if not cursor:
            break
    drafts = {made[n].id for n in (3, 4, 9)}
    assert seen == [pid for pid in _expected(workspace, sort.startswith("-")) if pid not in drafts]
