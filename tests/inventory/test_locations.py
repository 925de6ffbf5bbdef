"""Stock per location: a level lands on its location, and what a variant sells is the sum over the
locations the merchant sells from (by default the active ones that fulfil online orders)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.inventory import set_inventory_level, stock_levels
from app.inventory.locations import refresh_on_hand
from app.models import Location, ProductStock, VariantLocationStock
from app.models.types import utcnow
from tests.inventory.conftest import ITEM_GID

WAREHOUSE, STORE, SHOWROOM = 101, 102, 103


def _on_hand(db, workspace, variant):
    level = stock_levels(workspace.id, [variant.id])[variant.id]
    stock = db.session.scalar(
        select(ProductStock.on_hand).where(ProductStock.product_id == variant.product_id)
    )
    return level.on_hand, stock


def _locations(db, integration):
    rows = db.session.scalars(select(Location).where(Location.integration_id == integration.id)).all()
    return {row.shopify_location_id.rsplit("/", 1)[-1]: row for row in rows}


def test_levels_land_per_location_and_on_hand_is_the_sum_over_the_locations_sold_from(
    db, workspace, shopify_store, make_variant
):
    variant = make_variant(workspace, quantity=0, inventory_item_id=ITEM_GID)
    for location, units in ((WAREHOUSE, 4), (STORE, 6), (SHOWROOM, 5)):
        assert set_inventory_level(workspace.id, 55001, units, location_id=location) == [variant.id]
    showroom = _locations(db, shopify_store)[str(SHOWROOM)]
    showroom.fulfills_online_orders = False  # as a sync reads it from Shopify
    db.session.commit()
    refresh_on_hand(workspace.id, [variant.id])
    db.session.commit()
    assert _on_hand(db, workspace, variant) == (10, 10)
    levels = db.session.execute(
        select(VariantLocationStock.location_id, VariantLocationStock.available).where(
            VariantLocationStock.variant_id == variant.id
        )
    ).all()
    assert sorted(units for _loc, units in levels) == [4, 5, 6]

    # The merchant stops selling the store's stock and chooses the showroom's: the rule follows.
    found = _locations(db, shopify_store)
    found[str(STORE)].sell_from, found[str(SHOWROOM)].sell_from = False, True
    db.session.commit()
    refresh_on_hand(workspace.id, [variant.id])
    db.session.commit()
    assert _on_hand(db, workspace, variant) == (9, 9)

    # An inactive location is never sold from, whatever the choice.
    found[str(SHOWROOM)].active = False
    db.session.commit()
    set_inventory_level(workspace.id, 55001, 3, location_id=WAREHOUSE)
    assert _on_hand(db, workspace, variant) == (3, 3)


def test_an_older_level_at_one_location_does_not_overwrite_it_nor_block_another_location(
    db, workspace, shopify_store, make_variant
):
    variant = make_variant(workspace, quantity=0, inventory_item_id=ITEM_GID)
    now = utcnow()
    assert set_inventory_level(workspace.id, 55001, 4, location_id=WAREHOUSE, updated_at=now) == [variant.id]
    older = now - timedelta(seconds=5)
    assert set_inventory_level(workspace.id, 55001, 1, location_id=WAREHOUSE, updated_at=older) == []
    # Another location's level from before is still that location's newest.
    assert set_inventory_level(workspace.id, 55001, 6, location_id=STORE, updated_at=older) == [variant.id]
    assert _on_hand(db, workspace, variant) == (10, 10)
