"""The demo store's locations: one for the uniform catalog, four for the awkward one. Plain data only.

The uniform shop keeps the single "Demo warehouse" it always had (same id, same answers). The awkward shop
has a primary warehouse and a store that both fulfil online orders, a showroom that does not
(``fulfillsOnlineOrders: false``) and a closed depot (``isActive: false``) that holds no stock and is
listed only with ``includeInactive: true``, as Shopify does.
"""

from __future__ import annotations

from app.demo_store import catalog

LISBON = {"address1": "1 Demo Street", "city": "Lisbon", "zip": "1100-001", "country": "Portugal",
          "countryCode": "PT"}  # fmt: skip


def _location(n: int, name: str, *, active=True, online=True, primary=False, address=None) -> dict:
    return {
        "id": catalog.LOCATION_ID + n,
        "name": name,
        "active": active,
        "fulfills_online_orders": online,
        "primary": primary,
        "address": address or LISBON,
        "created_at": catalog.iso(catalog.CATALOG_EPOCH),
        "updated_at": catalog.iso(catalog.CATALOG_EPOCH),
    }


UNIFORM = (_location(0, "Demo warehouse", primary=True),)
AWKWARD = (
    _location(0, "Lisbon warehouse", primary=True),
    _location(
        1,
        "Porto store",
        address={
            "address1": "Rua das Flores 12",
            "city": "Porto",
            "zip": "4050-262",
            "country": "Portugal",
            "countryCode": "PT",
        },
    ),  # fmt: skip
    _location(2, "Showroom (no online orders)", online=False),
    _location(3, "Old depot", active=False, online=False),
)
WAREHOUSE, STORE, SHOWROOM, DEPOT = (loc["id"] for loc in AWKWARD)


def for_kind(kind: str, *, include_inactive: bool = True) -> list[dict]:
    rows = AWKWARD if kind == "awkward" else UNIFORM
    return [loc for loc in rows if include_inactive or loc["active"]]


def find(kind: str, numeric_id: int | None) -> dict | None:
    return next((loc for loc in for_kind(kind) if loc["id"] == numeric_id), None)
