"""The store's locations as the merchant sees and chooses them: which ones the channels sell from.

Read for the integration card, the Settings of a store and `GET /api/locations`; written by the card's
checkboxes and `PATCH /api/locations/<id>`, both through `app.inventory.sell_from.choose_sell_from` (stock
recounted at once, the change in the audit log). Must not read the request or render anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.catalog.groupings import locations as sold_locations
from app.extensions import db
from app.inventory.sell_from import choose_sell_from, sells
from app.models import Integration, Location, VariantLocationStock
from app.models.scoping import WorkspaceScope
from app.params import BadParameter, parse_id
from app.problems import AppError


class LocationNotFound(AppError):
    status = 404


@dataclass(frozen=True)
class LocationRow:
    location: Location
    sold: bool  # the channels sell this location's stock now
    variants: int  # variants with a level there
    on_hand: int
    available: int
    committed: int

    @property
    def default(self) -> bool:
        """What the default rule (no choice made) would say."""
        return bool(self.location.active and self.location.fulfills_online_orders)

    def as_dict(self) -> dict:
        loc = self.location
        return {
            "id": loc.id,
            "integration_id": loc.integration_id,
            "shopify_location_id": loc.shopify_location_id,
            "name": loc.name,
            "active": loc.active,
            "fulfills_online_orders": loc.fulfills_online_orders,
            "sell_from": loc.sell_from,
            "sells": self.sold,
            "default": self.default,
            "stock": {"variants": self.variants, "on_hand": self.on_hand, "available": self.available,
                      "committed": self.committed},
        }  # fmt: skip


def store_locations(scope: WorkspaceScope, integration_id: int | None = None) -> list[LocationRow]:
    """The workspace's locations (of one store if `integration_id`), each with its stock totals."""
    rows = [
        (loc, sold)
        for loc, sold in sold_locations(scope)
        if integration_id is None or loc.integration_id == integration_id
    ]
    if not rows:
        return []
    totals = {
        location_id: figures
        for location_id, *figures in db.session.execute(
            select(
                VariantLocationStock.location_id,
                func.count(),
                func.coalesce(func.sum(VariantLocationStock.on_hand), 0),
                func.coalesce(func.sum(VariantLocationStock.available), 0),
                func.coalesce(func.sum(VariantLocationStock.committed), 0),
            )
            .where(
                VariantLocationStock.workspace_id == scope.workspace_id,
                VariantLocationStock.location_id.in_([loc.id for loc, _ in rows]),
            )
            .group_by(VariantLocationStock.location_id)
        )
    }
    return [LocationRow(loc, sold, *(int(x) for x in totals.get(loc.id, (0, 0, 0, 0)))) for loc, sold in rows]


def get_location(scope: WorkspaceScope, location_id) -> LocationRow:
    row = next((r for r in store_locations(scope) if r.location.id == location_id), None)
    if row is None:
        raise LocationNotFound("Location not found.")
    return row


def parse_choice(data: dict) -> bool | None:
    """`sell_from` of a JSON body: true, false, or null (back to the default rule)."""
    if "sell_from" not in data:
        raise BadParameter("sell_from", "Send 'sell_from': true, false or null (the default rule).")
    unknown = sorted(set(data) - {"sell_from"})
    if unknown:
        raise BadParameter(unknown[0], f"Unknown field '{unknown[0]}': only 'sell_from' can be changed.")
    value = data["sell_from"]
    if value is not None and not isinstance(value, bool):
        raise BadParameter("sell_from", "'sell_from' must be true, false or null.")
    return value


def set_sell_from(scope: WorkspaceScope, location_id: int, choice: bool | None) -> tuple[LocationRow, bool]:
    try:
        _, changed = choose_sell_from(scope.workspace_id, location_id, choice)
    except LookupError:
        raise LocationNotFound("Location not found.") from None
    return get_location(scope, location_id), changed


def apply_checked(scope: WorkspaceScope, integration: Integration, checked) -> int:
    """The card's form: sell from exactly the checked (active) locations of the store. A location whose
    checkbox matches the default rule goes back to it; an inactive one is left as it is (it cannot sell).
    Returns how many locations changed."""
    wanted = set()
    for value in checked:
        location_id = parse_id(value, "sell_from")
        if location_id is not None:
            wanted.add(location_id)
    rows = store_locations(scope, integration.id)
    known = {r.location.id for r in rows}
    if wanted - known:
        raise BadParameter("sell_from", "A chosen location is not one of this store's locations.")
    changed = 0
    for row in rows:
        loc = row.location
        want = loc.id in wanted
        if not loc.active or want == sells(loc):
            continue
        choose_sell_from(scope.workspace_id, loc.id, None if want == row.default else want)
        changed += 1
    return changed
