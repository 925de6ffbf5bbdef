"""50 concurrent buyers (threads in separate processes, each its own connection) for a variant with 4 units
at location A and 6 at location B, both sold from: exactly 10 reservations; committing them debits by the
stated rule (the location sold from with the most available stock), and the write-back sends each change to
its location with `@idempotent` and that location's `changeFromQuantity`."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from decimal import Decimal

import pytest
import responses
from sqlalchemy import select

from app.inventory import available, commit, set_inventory_level
from app.inventory.writeback import write_back_adjustments
from app.models import Integration, InventoryAdjustment, Order, Product, ProductVariant, Reservation
from tests.inventory.conftest import GRAPHQL_URL, ITEM_GID, SHOP, load
from tests.system.buyers import buy_in_threads

PROCESSES, THREADS = 5, 10
A, B = "gid://shopify/Location/7001", "gid://shopify/Location/7002"


def _setup(db, workspace) -> tuple[int, list[int]]:
    store = Integration(workspace_id=workspace.id, platform="shopify", account_id=SHOP, status="connected",
                        config={"shop_domain": SHOP, "location_id": A})  # fmt: skip
    store.set_secrets(access_token="shpat_test_custom_app_token")
    product = Product(workspace_id=workspace.id, title="Last mugs", currency="EUR")
    variant = ProductVariant(workspace_id=workspace.id, product=product, title="Default Title", sku="LAST-MUG",
                             price=Decimal("12.00"), inventory_quantity=0, inventory_item_id=ITEM_GID)  # fmt: skip
    orders = [Order(workspace_id=workspace.id, source_platform="whatsapp", status="draft") for _ in range(50)]
    db.session.add_all([store, product, variant, *orders])
    db.session.commit()
    set_inventory_level(workspace.id, ITEM_GID, 4, location_id=A)
    set_inventory_level(workspace.id, ITEM_GID, 6, location_id=B)
    return variant.id, [o.id for o in orders]


@pytest.mark.timeout(180)
def test_fifty_buyers_two_locations_ten_reservations_debited_where_the_rule_says(db, workspace):
    variant_id, order_ids = _setup(db, workspace)
    assert available(workspace.id, variant_id) == 10
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES * THREADS), ctx.Queue()
    chunks = [order_ids[i::PROCESSES] for i in range(PROCESSES)]
    procs = [
        ctx.Process(target=buy_in_threads,
                    args=(os.environ["TEST_DATABASE_URL"], workspace.id, variant_id, chunk, barrier, results))
        for chunk in chunks
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    try:
        outcomes = [o for _ in procs for o in results.get(timeout=150)[1]]
    finally:
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
    assert len(outcomes) == 50
    assert [o for o in outcomes if o[1] not in ("reserved", "refused")] == []
    winners = sorted(order_id for order_id, what in outcomes if what == "reserved")
    assert len(winners) == 10
    db.session.rollback()
    held = db.session.scalars(select(Reservation).where(Reservation.variant_id == variant_id)).all()
    assert sum(r.quantity for r in held) == 10 and available(workspace.id, variant_id) == 0

    for order_id in winners:
        commit(db.session.get(Order, order_id))
    sales = db.session.scalars(select(InventoryAdjustment).order_by(InventoryAdjustment.id)).all()
    # The rule, sale by sale: the most available first (B: 6 > 4), a tie to the older location (A).
    assert [(s.location_gid, s.change_from_quantity) for s in sales] == [
        (B, 6), (B, 5), (A, 4), (B, 4), (A, 3), (B, 3), (A, 2), (B, 2), (A, 1), (B, 1)
    ]  # fmt: skip

    with responses.RequestsMock() as rsps:
        rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
        assert write_back_adjustments([s.id for s in sales]) == {"applied": 10}
        bodies = [json.loads(call.request.body) for call in rsps.calls]
    changes = [(b["variables"]["idempotencyKey"], *b["variables"]["input"]["changes"]) for b in bodies]
    assert all("@idempotent(key: $idempotencyKey)" in b["query"] for b in bodies)
    debited = {A: 0, B: 0}
    for _key, change in changes:
        assert change["inventoryItemId"] == ITEM_GID and change["delta"] == -1
        debited[change["locationId"]] += 1
    assert debited == {A: 4, B: 6}
    assert sorted(c["changeFromQuantity"] for _k, c in changes if c["locationId"] == B) == [1, 2, 3, 4, 5, 6]
    assert len({key for key, _c in changes}) == 10
