"""The merchant's choice of sell-from locations survives every full sync (paged and bulk), and what the
variants sell after the sync is the sum over the chosen locations, level by level, as the shop holds them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo_store import locations as demo_locations
from app.models import Integration, Location, ProductVariant, SyncRun
from app.models.scoping import WorkspaceScope
from app.services import locations as location_service
from app.sync import service
from tests.sync.conftest import SHOP


def _numeric(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


def _full_sync(db, integration_id: int, kind: str, run_jobs) -> None:
    run_id = service.start_sync(db.session.get(Integration, integration_id), kind).id
    run_jobs()
    assert db.session.get(SyncRun, run_id, populate_existing=True).status == "succeeded"


@pytest.mark.parametrize("kind", ["full", "bulk"])
def test_a_full_sync_keeps_the_merchants_choice_and_sells_the_chosen_sum(
    db, store, integration, run_jobs, kind
):
    store.seed_shop(SHOP, catalog="awkward")
    integration_id, workspace_id = integration.id, integration.workspace_id
    _full_sync(db, integration_id, kind, run_jobs)
    by_numeric = {
        _numeric(row.shopify_location_id): row.id
        for row in db.session.scalars(select(Location).where(Location.integration_id == integration_id))
    }
    scope = WorkspaceScope(workspace_id)
    # Stop selling the store's stock; sell the showroom's, which fulfils no online orders.
    location_service.set_sell_from(scope, by_numeric[demo_locations.STORE], False)
    location_service.set_sell_from(scope, by_numeric[demo_locations.SHOWROOM], True)
    chosen = {demo_locations.WAREHOUSE, demo_locations.SHOWROOM}

    _full_sync(db, integration_id, kind, run_jobs)
    db.session.expire_all()
    rows = {_numeric(r.shopify_location_id): r for r in db.session.scalars(select(Location))}
    assert {n: r.sell_from for n, r in rows.items()} == {
        demo_locations.WAREHOUSE: None, demo_locations.STORE: False, demo_locations.SHOWROOM: True,
        demo_locations.DEPOT: None,
    }  # fmt: skip
    checked = differences = 0
    for variant in db.session.scalars(
        select(ProductVariant).where(ProductVariant.workspace_id == workspace_id)
    ):
        shop_levels = store.levels(SHOP, _numeric(variant.inventory_item_id))
        expected = sum(q["available"] for loc, q in shop_levels.items() if loc in chosen)
        differences += variant.inventory_quantity != expected
        checked += 1
    assert checked > 2048 and differences == 0
