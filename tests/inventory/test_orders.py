"""Commit, release, cancel, expiry and Shopify's own level updates, as they move on hand and available."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.housekeeping import run_minutely
from app.inventory import (
    InvalidOrderState,
    OutOfStock,
    cancel,
    commit,
    expire_reservations,
    release,
    reserve,
    set_inventory_level,
    stock_levels,
)
from app.models import Integration, InventoryAdjustment, Reservation, SyncLog
from app.models.types import utcnow
from tests.inventory.conftest import ITEM_GID, LOCATION_GID, load


def level(workspace, variant):
    found = stock_levels(workspace.id, [variant.id])[variant.id]
    return found.on_hand, found.reserved, found.available


def statuses(db):
    return [r.status for r in db.session.scalars(select(Reservation).order_by(Reservation.id))]


def test_commit_decrements_stock_once_even_if_run_twice(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=10, inventory_item_id=ITEM_GID)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 2, order_id=order.id)
    reserve(workspace.id, variant.id, 1, order_id=order.id)

    first = commit(order)
    second = commit(order)

    assert first.changed and not second.changed
    assert level(workspace, variant) == (7, 0, 7)
    assert order.status == "committed"
    assert statuses(db) == ["committed", "committed"]
    adjustment = db.session.scalars(select(InventoryAdjustment)).one()
    assert (adjustment.delta, adjustment.change_from_quantity) == (-3, 10)
    assert adjustment.idempotency_key == f"order-{order.id}-variant-{variant.id}-sale"
    assert adjustment.status == "pending"  # no store connected: waits for the write-back
    assert [a.id for a in second.adjustments] == [adjustment.id]
    log = db.session.scalars(select(SyncLog)).one()
    assert (log.entity_type, log.entity_id, log.action) == ("inventory", str(variant.id), "update")


def test_commit_of_a_variant_not_linked_to_shopify_is_local_only(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=4)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 1, order_id=order.id)
    commit(order)
    assert db.session.scalars(select(InventoryAdjustment)).one().status == "skipped"
    assert level(workspace, variant) == (3, 0, 3)


def test_commit_without_held_stock_is_refused(workspace, make_order):
    with pytest.raises(InvalidOrderState):
        commit(make_order(workspace))


def test_lapsed_reservation_commits_only_if_its_units_are_still_free(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=2)
    late, early = make_order(workspace), make_order(workspace)
    reserve(workspace.id, variant.id, 2, order_id=late.id)
    held = db.session.scalars(select(Reservation)).one()
    held.expires_at = utcnow() - timedelta(minutes=1)  # lapsed, the sweep has not run yet
    db.session.commit()
    reserve(workspace.id, variant.id, 1, order_id=early.id)  # took one of the freed units
    with pytest.raises(OutOfStock):
        commit(late)
    assert level(workspace, variant) == (2, 1, 1)


def test_release_returns_stock(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=5)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 5, order_id=order.id)
    assert level(workspace, variant) == (5, 5, 0)
    assert release(order) == 5
    assert level(workspace, variant) == (5, 0, 5)
    assert statuses(db) == ["released"]


def test_cancel_releases_held_stock_and_cancels_the_order(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=3)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 3, order_id=order.id)
    result = cancel(order)
    assert result.changed and order.status == "cancelled" and order.cancelled_at is not None
    assert level(workspace, variant) == (3, 0, 3)
    assert not cancel(order).changed
    with pytest.raises(InvalidOrderState):
        commit(order)


def test_cancel_after_commit_restocks_once(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=6, inventory_item_id=ITEM_GID)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 2, order_id=order.id)
    commit(order)
    cancel(order)
    cancel(order)
    assert level(workspace, variant) == (6, 0, 6)
    rows = db.session.scalars(select(InventoryAdjustment).order_by(InventoryAdjustment.id)).all()
    assert [(a.reason, a.delta, a.change_from_quantity) for a in rows] == [("sale", -2, 6), ("restock", 2, 4)]
    assert rows[1].idempotency_key == f"order-{order.id}-variant-{variant.id}-restock"


def test_expiry_returns_stock_and_runs_in_minute_housekeeping(db, workspace, make_variant):
    variant = make_variant(workspace, quantity=4)
    reserve(workspace.id, variant.id, 3)
    reserve(workspace.id, variant.id, 1, ttl=timedelta(hours=1))
    first = db.session.scalars(select(Reservation).order_by(Reservation.id)).first()
    first.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    done = run_minutely()

    assert done["expire_reservations"] == 1
    assert statuses(db) == ["expired", "active"]
    assert level(workspace, variant) == (4, 1, 3)
    assert expire_reservations() == 0


def test_shopify_level_update_during_active_reservations_keeps_available_right(
    db, workspace, make_variant, make_order
):
    variant = make_variant(workspace, quantity=10, inventory_item_id=ITEM_GID)
    reserve(workspace.id, variant.id, 3)
    payload = load("shopify", "inventory_levels_update_webhook.json")  # someone bought 4 in the shop

    updated = set_inventory_level(workspace.id, payload["inventory_item_id"], payload["available"])

    assert updated == [variant.id]
    assert level(workspace, variant) == (6, 3, 3)
    set_inventory_level(workspace.id, ITEM_GID, 1)  # Shopify sold below what we hold
    assert level(workspace, variant) == (1, 3, 0)
    with pytest.raises(OutOfStock):
        reserve(workspace.id, variant.id, 1)


def test_shopify_level_before_our_write_back_keeps_our_sale_counted(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=10, inventory_item_id=ITEM_GID)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 2, order_id=order.id)
    commit(order)  # Shopify not told yet: its level is still 10 minus its own sales
    set_inventory_level(workspace.id, ITEM_GID, 9)
    assert level(workspace, variant) == (7, 0, 7)


def test_older_shopify_level_never_overwrites_a_newer_one(db, workspace, make_variant, make_order):
    variant = make_variant(workspace, quantity=10, inventory_item_id=ITEM_GID)
    now = utcnow()
    assert set_inventory_level(workspace.id, ITEM_GID, 8, updated_at=now) == [variant.id]
    assert set_inventory_level(workspace.id, ITEM_GID, 3, updated_at=now - timedelta(seconds=1)) == []
    assert level(workspace, variant) == (8, 0, 8)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 2, order_id=order.id)
    commit(order)  # our sale, not yet written back: still counted when a newer level arrives
    assert set_inventory_level(workspace.id, ITEM_GID, 6, updated_at=now + timedelta(seconds=1)) == [
        variant.id
    ]
    assert level(workspace, variant) == (4, 0, 4)


def test_level_update_for_another_workspace_changes_nothing(workspace, make_user, make_variant):
    variant = make_variant(workspace, quantity=5, inventory_item_id=ITEM_GID)
    other = make_user().workspace
    assert set_inventory_level(other.id, ITEM_GID, 0) == []
    assert level(workspace, variant) == (5, 0, 5)


def test_first_level_update_remembers_the_location(db, workspace, make_variant):
    integration = Integration(workspace_id=workspace.id, platform="shopify", account_id="x.myshopify.com")
    db.session.add(integration)
    db.session.commit()
    make_variant(workspace, quantity=1, inventory_item_id=ITEM_GID)
    set_inventory_level(workspace.id, 55001, 1, location_id=346779380)
    db.session.refresh(integration)
    assert integration.config["location_id"] == LOCATION_GID
