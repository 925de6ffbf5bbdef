"""A full sync (paged or bulk) reads every location of the awkward shop (inactive and not-online ones too) and every
variant's stock at each, paged to the end; what a variant sells is the sum over the locations sold from."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo_store import locations as demo_locations
from app.models import Integration, Location, ProductStock, ProductVariant, SyncRun, VariantLocationStock
from app.sync import connections, service
from app.sync import locations as location_sync
from tests.sync.conftest import SHOP

SOLD_FROM = {demo_locations.WAREHOUSE, demo_locations.STORE}  # active and fulfilling online orders


def _numeric(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])


@pytest.mark.parametrize("kind", ["full", "bulk"])
def test_full_sync_reads_every_location_and_every_level_and_sells_the_chosen_sum(
    db, store, integration, run_jobs, monkeypatch, kind
):
    store.seed_shop(SHOP, catalog="awkward")
    integration_id, workspace_id = integration.id, integration.workspace_id
    # Small pages, so both the locations and a location's levels take several pages.
    monkeypatch.setattr(location_sync, "LOCATIONS_FIRST", 2)
    monkeypatch.setattr(location_sync, "LEVELS_FIRST", 25)
    run_id = service.start_sync(db.session.get(Integration, integration_id), kind).id
    run_jobs()
    assert db.session.get(SyncRun, run_id).status == "succeeded"

    rows = db.session.scalars(select(Location).where(Location.integration_id == integration_id)).all()
    assert {(_numeric(r.shopify_location_id), r.name, r.active, r.fulfills_online_orders) for r in rows} == {
        (loc["id"], loc["name"], loc["active"], loc["fulfills_online_orders"])
        for loc in demo_locations.AWKWARD
    }
    by_id = {r.id: _numeric(r.shopify_location_id) for r in rows}
    levels: dict[int, dict[int, tuple]] = {}
    for level in db.session.scalars(select(VariantLocationStock)):
        levels.setdefault(level.variant_id, {})[by_id[level.location_id]] = (
            level.available, level.on_hand, level.committed,
        )  # fmt: skip
    variants = db.session.scalars(select(ProductVariant).where(ProductVariant.workspace_id == workspace_id))
    checked = differences = 0
    for variant in variants:
        shop_levels = store.levels(SHOP, _numeric(variant.inventory_item_id))
        expected = {loc: (q["available"], q["on_hand"], q["committed"]) for loc, q in shop_levels.items()}
        differences += levels.get(variant.id, {}) != expected
        differences += variant.inventory_quantity != sum(
            q["available"] for loc, q in shop_levels.items() if loc in SOLD_FROM
        )
        checked += 1
    assert checked > 2048 and differences == 0
    # Stock somewhere not sold from exists in the shop, so the sum really leaves it out.
    assert any(loc not in SOLD_FROM and q[0] > 0 for per in levels.values() for loc, q in per.items())
    stock = dict(db.session.execute(select(ProductStock.product_id, ProductStock.on_hand)).all())
    for product_id, on_hand in stock.items():
        assert on_hand == sum(
            max(v.inventory_quantity, 0)
            for v in db.session.scalars(select(ProductVariant).where(ProductVariant.product_id == product_id))
        )


def test_the_locations_pages_are_priced_under_the_single_query_cap():
    """The sizes a real sync sends (not the small pages the tests above use): Shopify refuses a query whose
    requested cost passes 1,000 points before running it, and the client refuses it before sending."""
    from app.platforms.shopify import queries
    from app.platforms.shopify.cost import requested_cost

    page = {"first": location_sync.LOCATIONS_FIRST, "after": None, "levelsFirst": location_sync.LEVELS_FIRST}
    assert requested_cost(queries.LOCATIONS_PAGE_QUERY, page) <= 1000
    rest = {"id": "gid://shopify/Location/1", "first": connections.CONNECTION_PAGE, "after": None}
    assert requested_cost(queries.LOCATION_LEVELS_PAGE_QUERY, rest) <= 1000
