"""Concurrent buyers as separate processes (each its own app, engine and connections) reserving the last units
of a variant on Postgres: the row lock in `app.inventory.reserve` means never oversold, never negative."""

from __future__ import annotations

import multiprocessing as mp
import os
from decimal import Decimal

import pytest

from app.inventory import available
from app.models import Product, ProductVariant, Reservation
from tests.system.buyers import buy

BUYERS = 6


def _variant(db, workspace, quantity: int) -> int:
    product = Product(workspace_id=workspace.id, title="Last mugs", currency="EUR")
    variant = ProductVariant(workspace_id=workspace.id, product=product, title="Default Title", sku="LAST-MUG",
                             price=Decimal("12.00"), inventory_quantity=quantity)  # fmt: skip
    db.session.add_all([product, variant])
    db.session.commit()
    return variant.id


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("stock", "qty", "attempts", "expected_units"), [(10, 1, 5, 10), (10, 3, 3, 9)])
def test_buyer_processes_never_oversell(db, workspace, stock, qty, attempts, expected_units):
    variant_id = _variant(db, workspace, stock)
    ctx = mp.get_context("spawn")  # a fresh interpreter per buyer: no shared connections or locks
    barrier, results = ctx.Barrier(BUYERS), ctx.Queue()
    procs = [
        ctx.Process(
            target=buy,
            args=(os.environ["TEST_DATABASE_URL"], workspace.id, variant_id, qty, attempts, barrier, results),
        )  # fmt: skip
        for _ in range(BUYERS)
    ]
    for proc in procs:
        proc.start()
    try:
        outcomes = [results.get(timeout=90) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    assert [errors for *_, errors in outcomes if errors] == []
    granted = [q for _, got, _, _ in outcomes for q in got]
    assert sum(granted) == expected_units  # demand (6 buyers x attempts x qty) exceeds stock: all of it sold
    assert sum(refused for _, _, refused, _ in outcomes) == BUYERS * attempts - len(granted)
    db.session.rollback()
    held = db.session.scalars(db.select(Reservation).where(Reservation.variant_id == variant_id)).all()
    assert sum(r.quantity for r in held) == expected_units <= stock
    assert available(workspace.id, variant_id) == stock - expected_units >= 0
