"""One stock rule, every surface: the inventory service, the Products list (figures, filter, sort), the JSON
API, the catalog search's "in stock" filter and the agent tools all tell the same available stock on a
catalog built to be awkward: expired and released reservations, holds above what is on hand, zero and
oversold (negative) stock, several variants per product. A surface that computed stock its own way would
disagree with the others on at least one of these products."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import agent_tools
from agent_tools import ToolContext
from app.catalog import listing
from app.catalog.search import Filters, search
from app.extensions import db
from app.inventory import OutOfStock, available, reserve, stock_levels
from app.models import Product, Reservation
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.services import products as service

# Per product: the variants' quantities on hand, and reservations as (variant index, quantity, status, expired).
CATALOG = {
    "expired hold": ((5,), [(0, 3, "active", True), (0, 2, "active", False)]),  # 3 left, not 0
    "holds above on hand": ((2, 3), [(0, 4, "active", False)]),  # 0 + 3, never -2 + 3
    "zero stock": ((0,), []),
    "oversold": ((-2, 1), [(1, 1, "released", False)]),  # 0 + 1: a released hold holds nothing
    "all held": ((4,), [(0, 1, "active", False), (0, 3, "active", False)]),
    "several variants": ((1, 1, 1), [(0, 1, "active", False), (2, 1, "active", True)]),
    "untouched": ((7,), []),
}


def _expected_variant(on_hand: int, holds: list, index: int) -> tuple[int, int]:
    """(reserved, available) by the rule, written out once here as the test's own reading of it."""
    held = sum(q for i, q, status, expired in holds if i == index and status == "active" and not expired)
    return held, max(0, on_hand - held)


@pytest.fixture
def awkward(workspace, make_product):
    """{title: (product, [(variant, on_hand, reserved, available)])} of the CATALOG, titled 'Awkward ...'."""
    made = {}
    for name, (quantities, holds) in CATALOG.items():
        product = make_product(workspace, f"Awkward {name}", variants=len(quantities), price="10.00")
        variants = sorted(product.variants, key=lambda v: v.position)
        for variant, quantity in zip(variants, quantities, strict=True):
            variant.inventory_quantity = quantity
        for index, quantity, status, expired in holds:
            expires = utcnow() + (timedelta(hours=-1) if expired else timedelta(hours=1))
            db.session.add(Reservation(workspace_id=workspace.id, variant_id=variants[index].id,
                                       quantity=quantity, status=status, expires_at=expires))  # fmt: skip
        db.session.commit()
        rows = []
        for index, (variant, quantity) in enumerate(zip(variants, quantities, strict=True)):
            rows.append((variant, quantity, *_expected_variant(quantity, holds, index)))
        made[product.title] = (product, rows)
    return made


def _product_figures(rows) -> dict:
    return {"on_hand": sum(r[1] for r in rows), "reserved": sum(r[2] for r in rows),
            "available": sum(r[3] for r in rows)}  # fmt: skip


def test_every_surface_tells_the_same_available_stock(workspace, awkward, api_client):
    scope = WorkspaceScope(workspace.id)
    products = {title: product for title, (product, _) in awkward.items()}
    expected = {title: _product_figures(rows) for title, (_, rows) in awkward.items()}
    by_id = {products[t].id: t for t in products}
    assert sorted(f["available"] for f in expected.values()) == [0, 0, 1, 2, 3, 3, 7]  # the awkward cases

    # Inventory: per variant, and what reserve() refuses beyond it.
    for _, rows in awkward.values():
        levels = stock_levels(scope, [r[0].id for r in rows])
        for variant, on_hand, reserved, left in rows:
            assert (levels[variant.id].on_hand, levels[variant.id].reserved) == (on_hand, reserved)
            assert levels[variant.id].available == available(workspace.id, variant.id) == left
            with pytest.raises(OutOfStock) as refused:
                reserve(workspace.id, variant.id, left + 1)
            assert refused.value.details["available"] == left

    # The Products list: figures (lean and full), the stock filter and the stock sort.
    for lean in (True, False):
        page = service.list_products(scope, service.parse_params({"q": "awkward"}), with_variants=not lean)
        assert {by_id[p.id]: page.stock[p.id] for p in page.products} == expected
    for stock, wanted in (("in", True), ("out", False)):
        page = service.list_products(scope, service.parse_params({"q": "awkward", "stock": stock}))
        assert {by_id[p.id] for p in page.products} == {
            t for t, f in expected.items() if (f["available"] > 0) == wanted
        }
    for sort in ("-stock", "stock"):
        page = service.list_products(scope, service.parse_params({"q": "awkward", "sort": sort}))
        got = [expected[by_id[p.id]]["available"] for p in page.products]
        assert got == sorted(got, reverse=sort == "-stock") and len(got) == len(CATALOG)
    computed = db.session.execute(
        select(Product.id, listing.stock_sort_expression()).where(Product.id.in_(list(by_id)))
    ).all()
    assert {by_id[pid]: int(value) for pid, value in computed} == {
        t: f["available"] for t, f in expected.items()
    }

    # The JSON API: product stock, and per variant with the reservations that hold stock.
    listed = api_client.get("/api/products?q=awkward&limit=50").get_json()["products"]
    assert {by_id[p["id"]]: p["stock"] for p in listed} == expected
    for title, (product, rows) in awkward.items():
        body = api_client.get(f"/api/products/{product.id}/inventory").get_json()
        assert [(v["reserved"], v["available"]) for v in body["variants"]] == [(r[2], r[3]) for r in rows]
        holding = sum(r["quantity"] for r in body["reservations"])
        assert holding == expected[title]["reserved"]

    # The catalog search's "in stock" filter, alone and with a price bound (two code paths on Postgres).
    for filters in (
        Filters(in_stock_only=True, limit=20),
        Filters(in_stock_only=True, price_max=50, limit=20),
    ):
        found = {by_id[h.product_id] for h in search(workspace.id, "awkward", filters)}
        assert found == {t for t, f in expected.items() if f["available"] > 0}

    # The agent tools: search cards and availability per variant.
    ctx = ToolContext(workspace.id)
    result = agent_tools.call("product_search", {"query": "awkward", "category": None, "price_min": None,
                                                 "price_max": None, "in_stock_only": None, "limit": 20}, ctx)  # fmt: skip
    assert {by_id[c["product_id"]]: c["available"] for c in result["products"]} == {
        t: f["available"] for t, f in expected.items()
    }
    for _, rows in awkward.values():
        for variant, _, reserved, left in rows:
            answer = agent_tools.call(
                "check_availability", {"variant_id": variant.id, "sku": None, "quantity": 1}, ctx
            )
            assert (answer["available"], answer["reserved_by_others"], answer["can_sell"]) == (
                left,
                reserved,
                left > 0,
            )
