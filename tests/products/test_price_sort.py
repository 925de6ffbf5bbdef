"""Sorting by price walks the (workspace_id, price_min, id) index: priced products first (either direction),
then the unpriced ones by id, with keyset cursors that cross from one pass to the other."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from app.extensions import db
from app.models.scoping import WorkspaceScope
from app.services import products as service
from tests.products.paging import walk


def _products(workspace, make_product, prices):
    made = []
    for n, price in enumerate(prices):
        product = make_product(workspace, f"P{n}", price=price or "0")
        if price is None:
            product.price_min = product.price_max = None
        made.append(product)
    db.session.commit()
    return made


def _walk(workspace, sort: str, limit: int) -> list[str]:
    return walk(workspace, sort, limit, key=lambda p: p.title)


PRICES = ["3.00", None, "1.00", "2.00", None, "2.00", None]  # P0..P6: ties and NULLs on purpose


def test_unpriced_products_come_after_priced_ones_in_both_directions(workspace, make_product):
    _products(workspace, make_product, PRICES)
    assert _walk(workspace, "price", 50) == ["P2", "P3", "P5", "P0", "P1", "P4", "P6"]
    assert _walk(workspace, "-price", 50) == ["P0", "P5", "P3", "P2", "P6", "P4", "P1"]


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
@pytest.mark.parametrize("sort", ["price", "-price"])
def test_keyset_pages_cross_from_priced_to_unpriced_products(workspace, make_product, sort, limit):
    _products(workspace, make_product, PRICES)
    assert _walk(workspace, sort, limit) == _walk(workspace, sort, 50)


def _filler(workspace_id: int, n: int = 20_000) -> None:
    """Postgres: enough rows and fresh statistics for the planner to weigh indexes as at scale."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.execute(
        text(
            "INSERT INTO product (workspace_id, title, status, images, platform_sync, price_min, created_at, "
            "updated_at) SELECT :ws, 'Filler ' || g, 'active', '[]', '{}', "
            "CASE WHEN g % 10 = 0 THEN NULL ELSE (g % 997) + 0.99 END, now(), now() "
            "FROM generate_series(1, :n) g"
        ),
        {"ws": workspace_id, "n": n},
    )
    db.session.commit()
    db.session.execute(text("ANALYZE product"))
    db.session.commit()


def _listing_statements(workspace, args) -> list[tuple]:
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY product.price_min" in statement:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        page = service.list_products(WorkspaceScope(workspace.id), service.parse_params(args))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return page, captured


def _plan(statement, parameters) -> str:
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    else:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize("sort", ["price", "-price"])
def test_price_pages_walk_the_price_index_without_sorting_every_row(workspace, make_product, sort):
    _products(workspace, make_product, PRICES)
    _filler(workspace.id)
    first, statements = _listing_statements(workspace, {"sort": sort, "limit": "50"})
    _, deeper = _listing_statements(workspace, {"sort": sort, "limit": "50", "cursor": first.next_cursor})
    assert statements and deeper
    for statement, parameters in statements + deeper:
        plan = _plan(statement, parameters)
        assert "ix_product_workspace_id_price_min_id" in plan, plan
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
