"""The merchant's choice of the locations the channels sell from, applied to stock at once.

`choose_sell_from` stores a location's `sell_from` (True, False, or None for the default rule: active and
fulfilling online orders), then sets the on hand of every variant with a level there by the stock rule
(`refresh_on_hand`), under the variants' locks and in one stock transaction: the Products page, the API, the
agent tools and the next reservation all see the new figure as soon as it returns. Each change is written to
the audit log (`sync_log`, entity `location`). A full sync never undoes it (`upsert_location` leaves
`sell_from` alone). Must not call Shopify.
"""

from __future__ import annotations

from sqlalchemy import select

from app.catalog.stock import sells_from
from app.extensions import db
from app.inventory.levels import lock_variants, stock_transaction
from app.inventory.locations import refresh_on_hand
from app.models import Location, SyncLog, VariantLocationStock


def _label(choice: bool | None) -> str:
    return "default" if choice is None else ("on" if choice else "off")


def sells(location: Location) -> bool:
    """Whether the channels sell from `location` now (the stock rule's `sells_from`, in Python)."""
    chosen = location.fulfills_online_orders if location.sell_from is None else location.sell_from
    return bool(location.active and chosen)


def choose_sell_from(workspace_id: int, location_id: int, choice: bool | None) -> tuple[Location, bool]:
    """Store the choice for the workspace's location `location_id`; returns (location, changed). Unknown
    or another workspace's location: LookupError. An unchanged choice writes nothing."""
    with stock_transaction():
        location = db.session.scalars(
            select(Location)
            .where(Location.id == location_id, Location.workspace_id == workspace_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if location is None:
            raise LookupError(location_id)
        before = location.sell_from
        if before is choice:
            return location, False
        variant_ids = db.session.scalars(
            select(VariantLocationStock.variant_id).where(VariantLocationStock.location_id == location.id)
        ).all()
        lock_variants(workspace_id, variant_ids)
        location.sell_from = choice
        db.session.flush()
        refresh_on_hand(workspace_id, variant_ids)
        now_sold = db.session.scalar(select(sells_from()).where(Location.id == location.id))
        db.session.add(
            SyncLog(
                workspace_id=workspace_id, integration_id=location.integration_id, entity_type="location",
                entity_id=location.shopify_location_id[:100], action="update", status="success",
                error_message=f"Sell from “{location.name}”: {_label(before)} → {_label(choice)} "
                f"(now {'sold from' if now_sold else 'not sold from'}; {len(variant_ids)} variants recounted)",
            )
        )  # fmt: skip
    return location, True
