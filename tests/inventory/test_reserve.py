"""Reservations: available = on hand - active holds, typed errors, and no overselling under concurrency."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from app.inventory import (
    InvalidOrderState,
    InvalidQuantity,
    OutOfStock,
    VariantNotFound,
    available,
    available_map,
    reserve,
    stock_levels,
)
from app.models import Reservation
from app.models.scoping import WorkspaceScope


def test_reserve_holds_stock_and_available_drops(workspace, make_variant):
    variant = make_variant(workspace, quantity=10)
    reservation = reserve(workspace.id, variant.id, 3)
    assert reservation.status == "active"
    assert reservation.quantity == 3
    level = stock_levels(WorkspaceScope(workspace.id), [variant.id])[variant.id]
    assert (level.on_hand, level.reserved, level.available) == (10, 3, 7)
    assert available(workspace.id, variant.id) == 7


def test_out_of_stock_reports_what_is_left(workspace, make_variant):
    variant = make_variant(workspace, quantity=5)
    reserve(workspace.id, variant.id, 4)
    with pytest.raises(OutOfStock) as info:
        reserve(workspace.id, variant.id, 2)
    assert info.value.available == 1
    assert info.value.requested == 2


def test_product_with_zero_stock_cannot_be_reserved(workspace, make_variant):
    variant = make_variant(workspace, quantity=0)
    with pytest.raises(OutOfStock) as info:
        reserve(workspace.id, variant.id, 1)
    assert info.value.available == 0
    assert stock_levels(workspace.id, [variant.id])[variant.id].in_stock is False


@pytest.mark.parametrize("qty", [0, -1, 1.5, "2", True, None])
def test_bad_quantities_are_refused(workspace, make_variant, qty):
    variant = make_variant(workspace)
    with pytest.raises(InvalidQuantity):
        reserve(workspace.id, variant.id, qty)


def test_other_workspaces_variant_is_not_found(workspace, make_user, make_variant):
    other = make_user().workspace
    foreign = make_variant(other, quantity=10)
    with pytest.raises(VariantNotFound):
        reserve(workspace.id, foreign.id, 1)
    with pytest.raises(VariantNotFound):
        available(workspace.id, foreign.id)


def test_reserving_into_a_cancelled_order_is_refused(workspace, make_variant, make_order):
    variant = make_variant(workspace)
    order = make_order(workspace, status="cancelled")
    with pytest.raises(InvalidOrderState):
        reserve(workspace.id, variant.id, 1, order_id=order.id)


def test_expired_but_unswept_reservation_no_longer_holds_stock(db, workspace, make_variant):
    variant = make_variant(workspace, quantity=2)
    reserve(workspace.id, variant.id, 2, ttl=timedelta(seconds=1))
    held = db.session.scalars(select(Reservation)).one()
    held.expires_at = held.expires_at - timedelta(minutes=5)
    db.session.commit()
    assert available(workspace.id, variant.id) == 2
    reserve(workspace.id, variant.id, 2)


def test_available_for_many_variants_is_one_query(db, workspace, make_variant):
    variants = [make_variant(workspace, quantity=q) for q in (5, 0, 8, 3)]
    reserve(workspace.id, variants[0].id, 2)
    reserve(workspace.id, variants[2].id, 8)
    workspace_id, ids = workspace.id, [v.id for v in variants]
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = available_map(workspace_id, [*ids, 999_999])
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert result == dict(zip(ids, [3, 0, 0, 3], strict=True))
    assert len(statements) == 1


def _race(app, workspace_id: int, variant_id: int, threads: int, qty: int) -> tuple[int, int]:
    """`threads` buyers at once, each in its own app context and session; returns (successes, refusals)."""
    start = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buyer():
        with app.app_context():
            from app.extensions import db

            try:
                start.wait()
                reserve(workspace_id, variant_id, qty)
                outcome = "ok"
            except OutOfStock:
                outcome = "out"
            except Exception as exc:  # anything else is a bug the assertion below must show
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    workers = [threading.Thread(target=buyer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    errors = [o for o in outcomes if o.startswith("error")]
    assert not errors, errors[:3]
    assert len(outcomes) == threads
    return outcomes.count("ok"), outcomes.count("out")


@pytest.mark.parametrize(("threads", "qty", "stock", "winners"), [(50, 1, 10, 10), (30, 3, 10, 3)])
def test_concurrent_buyers_of_the_last_units_never_oversell(
    app, db, workspace, make_variant, threads, qty, stock, winners
):
    variant = make_variant(workspace, quantity=stock)
    workspace_id, variant_id = workspace.id, variant.id
    db.session.commit()
    ok, refused = _race(app, workspace_id, variant_id, threads, qty)
    assert (ok, refused) == (winners, threads - winners)
    db.session.expire_all()
    level = stock_levels(workspace_id, [variant_id])[variant_id]
    held = db.session.scalar(
        select(func.sum(Reservation.quantity)).where(Reservation.variant_id == variant_id)
    )
    assert held == winners * qty <= stock
    assert level.available == stock - winners * qty >= 0
