"""Inventory quantities and the rules of ``inventoryAdjustQuantities`` as Shopify enforces them from 2026-04.

- ``changeFromQuantity`` must be given on every change (``null`` opts out of the compare-and-swap check); a
  value that no longer matches is refused with ``CHANGE_FROM_QUANTITY_STALE`` and nothing is applied;
- an idempotency key (from the ``@idempotent`` directive, checked by the GraphQL layer) is remembered with a
  fingerprint of the input: a retry with the same input returns the first result without applying it again,
  the same key with another input is ``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``.

Stock is per item per location (`locations.py`); quantities not yet changed are the catalog's. Plain data only; no GraphQL here.
"""

from __future__ import annotations

import hashlib
import json

from app.demo_store import catalog
from app.demo_store.db import dumps

QUANTITY_NAMES = ("available", "committed", "damaged", "incoming", "on_hand", "quality_control", "reserved",
                  "safety_stock")  # fmt: skip
ADJUSTABLE_NAMES = {"available", "damaged", "incoming", "quality_control", "reserved", "safety_stock"}
REASONS = {
    "correction", "cycle_count_available", "damaged", "movement_created", "movement_updated",
    "movement_received", "movement_canceled", "other", "promotion", "quality_control", "received",
    "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock", "shrinkage",
}  # fmt: skip
MAX_QUANTITY = 2_000_000_000


def _zeros() -> dict[str, int]:
    return {name: 0 for name in QUANTITY_NAMES}


def default_levels(variant: dict) -> dict[int, dict[str, int]]:
    """{location id: quantities} of a catalog variant before any change: the awkward catalog's ``stock``
    (available + committed = on hand), else the uniform catalog's single location."""
    if "stock" in variant:
        return {
            loc: _zeros() | {"available": a, "committed": c, "on_hand": a + c}
            for loc, a, c in variant["stock"]
        }
    available = variant["available"]
    return {catalog.LOCATION_ID: _zeros() | {"available": available, "on_hand": available}}


class InventoryMixin:
    def variant_of_item(self, shop: str, item_id: int) -> tuple[dict, dict] | None:
        """(product record, variant) of an inventory item id, or None."""
        if item_id <= catalog.INVENTORY_ITEM_BASE:
            return None
        i, _v = catalog.split_variant(item_id, catalog.INVENTORY_ITEM_BASE)
        record = self.product(shop, i)
        variant = catalog.variant_at(record, item_id, "inventory_item_id")
        return (record, variant) if variant else None

    def _item_exists(self, shop: str, item_id: int) -> bool:
        return self.variant_of_item(shop, item_id) is not None

    def levels(self, shop: str, item_id: int, variant: dict | None = None) -> dict[int, dict[str, int]]:
        """{location id: quantities} for every location that stocks ``item_id``, changes included."""
        if variant is None:
            found = self.variant_of_item(shop, item_id)
            if found is None:
                return {}
            variant = found[1]
        levels = default_levels(variant)
        for loc, quantities in self.quantities_many(shop, [item_id]).get(item_id, {}).items():
            levels[loc] = quantities
        return dict(sorted(levels.items()))

    def quantities(self, shop: str, item_id: int, location_id: int = catalog.LOCATION_ID) -> dict[str, int]:
        return self.levels(shop, item_id).get(location_id) or _zeros()

    def quantities_many(self, shop: str, item_ids: list[int]) -> dict[int, dict[int, dict[str, int]]]:
        """Overlay rows for ``item_ids`` in one query, as {item: {location: quantities}} (items absent from
        the result are unchanged)."""
        if not item_ids:
            return {}
        out: dict[int, dict[int, dict[str, int]]] = {}
        for start in range(0, len(item_ids), 500):  # sqlite's bound-parameter limit
            chunk = item_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.all(
                f"SELECT item_id, location_id, quantities FROM inventory WHERE shop=? AND item_id IN ({marks})",  # noqa: S608
                (shop, *chunk),
            )
            for row in rows:
                out.setdefault(row["item_id"], {})[row["location_id"]] = json.loads(row["quantities"])
        return out

    def inventory_updated_at(self, shop: str, item_id: int, location_id: int | None = None) -> str | None:
        if location_id is None:
            row = self.db.one("SELECT MAX(updated_at) AS at FROM inventory WHERE shop=? AND item_id=?",
                              (shop, item_id))  # fmt: skip
        else:
            row = self.db.one("SELECT updated_at AS at FROM inventory WHERE shop=? AND item_id=? AND location_id=?",
                              (shop, item_id, location_id))  # fmt: skip
        return row["at"] if row else None

    def _write_quantities(self, conn, shop: str, item_id: int, location_id: int, quantities: dict) -> str:
        now = self.now_iso()
        conn.execute(
            "INSERT INTO inventory (shop, item_id, location_id, quantities, updated_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT(shop, item_id, location_id) DO UPDATE SET quantities=excluded.quantities, "
            "updated_at=excluded.updated_at",
            (shop, item_id, location_id, dumps(quantities), now),
        )
        return now

    def adjust_available(self, shop: str, item_id: int, delta: int, *, fire: bool = True,
                         location_id: int | None = None) -> int:  # fmt: skip
        """Move ``available`` (and ``on_hand``) by ``delta`` at ``location_id`` (default: the first location
        stocking the item) without the API's checks; returns the new value."""
        levels = self.levels(shop, item_id)
        if location_id is None:
            location_id = next(iter(levels), catalog.LOCATION_ID)
        current = levels.get(location_id) or _zeros()
        current["available"] += delta
        current["on_hand"] += delta
        with self.db.transaction() as conn:
            self._write_quantities(conn, shop, item_id, location_id, current)
        if fire:
            self.fire_inventory_webhook(shop, item_id, location_id, current["available"])
        return current["available"]

    def adjust_quantities(self, shop: str, data: dict, idempotency_key: str) -> dict:
        """Apply an ``InventoryAdjustQuantitiesInput``; returns ``{"group": ..., "userErrors": [...]}``."""
        fingerprint = hashlib.sha256(dumps(data).encode()).hexdigest()
        with self.db.transaction() as conn:
            seen = conn.execute(
                "SELECT fingerprint, result FROM idempotency WHERE shop=? AND key=?", (shop, idempotency_key)
            ).fetchone()
            if seen is not None:
                if seen["fingerprint"] != fingerprint:
                    return _failure(
                        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                        "The same idempotency key cannot be used with different operation parameters.",
                        None,
                    )
                return json.loads(seen["result"])
            errors, planned = self._plan_adjustment(shop, data)
            if errors:
                return {"group": None, "userErrors": errors}
            changes, fired = [], []
            for item_id, location_id, delta, ledger, quantities in planned:
                quantities[data["name"]] += delta
                if data["name"] == "available":
                    quantities["on_hand"] += delta
                self._write_quantities(conn, shop, item_id, location_id, quantities)
                changes.append({"name": data["name"], "delta": delta, "quantityAfterChange": quantities[data["name"]],
                                "itemId": item_id, "locationId": location_id, "ledgerDocumentUri": ledger})  # fmt: skip
                fired.append((item_id, location_id, quantities["available"]))
            group_id = conn.execute("SELECT COUNT(*) FROM idempotency").fetchone()[0] + 1
            result = {
                "group": {
                    "id": catalog.gid("InventoryAdjustmentGroup", 90_000_000_000 + group_id),
                    "createdAt": self.now_iso(),
                    "reason": data["reason"],
                    "referenceDocumentUri": data.get("referenceDocumentUri"),
                    "changes": changes,
                },
                "userErrors": [],
            }
            conn.execute(
                "INSERT INTO idempotency (shop, key, fingerprint, result) VALUES (?,?,?,?)",
                (shop, idempotency_key, fingerprint, dumps(result)),
            )
        for item_id, location_id, available in fired:
            self.fire_inventory_webhook(shop, item_id, location_id, available)
        return result

    def _plan_adjustment(self, shop: str, data: dict) -> tuple[list[dict], list[tuple]]:
        name, reason = data.get("name"), data.get("reason")
        if name not in ADJUSTABLE_NAMES:
            return [
                _error("INVALID_QUANTITY_NAME", "The specified quantity name is invalid.", ["input", "name"])
            ], []
        if reason not in REASONS:
            return [_error("INVALID_REASON", "The specified reason is invalid.", ["input", "reason"])], []
        errors, planned, working = [], [], {}
        for k, change in enumerate(data.get("changes") or []):
            path = ["input", "changes", str(k)]
            item_id = catalog.parse_gid(change.get("inventoryItemId"), "InventoryItem")
            location_id = catalog.parse_gid(change.get("locationId"), "Location")
            ledger = change.get("ledgerDocumentUri")
            if item_id is None or not self._item_exists(shop, item_id):
                errors.append(_error("INVALID_INVENTORY_ITEM", "The specified inventory item could not be found.",
                                     [*path, "inventoryItemId"]))  # fmt: skip
                continue
            if location_id not in self.levels(shop, item_id):  # unknown, inactive or not stocking the item
                errors.append(_error("INVALID_LOCATION", "The specified location could not be found.",
                                     [*path, "locationId"]))  # fmt: skip
                continue
            if name == "available" and ledger:
                errors.append(_error("INVALID_AVAILABLE_DOCUMENT",
                                     "A ledger document URI is not allowed when adjusting available.",
                                     [*path, "ledgerDocumentUri"]))  # fmt: skip
                continue
            if name != "available" and not ledger:
                errors.append(_error("INVALID_QUANTITY_DOCUMENT",
                                     "A ledger document URI is required except when adjusting available.",
                                     [*path, "ledgerDocumentUri"]))  # fmt: skip
                continue
            key = (item_id, location_id)
            quantities = working.setdefault(key, self.quantities(shop, item_id, location_id))
            expected = change.get("changeFromQuantity")
            if expected is not None and expected != quantities[name]:
                errors.append(_error("CHANGE_FROM_QUANTITY_STALE",
                                     "The changeFromQuantity argument no longer matches the persisted quantity.",
                                     [*path, "changeFromQuantity"]))  # fmt: skip
                continue
            after = quantities[name] + change["delta"]
            if after > MAX_QUANTITY or after < -MAX_QUANTITY:
                code = "INVALID_QUANTITY_TOO_HIGH" if after > 0 else "INVALID_QUANTITY_TOO_LOW"
                errors.append(_error(code, "The quantity is out of range.", [*path, "delta"]))
                continue
            planned.append((item_id, location_id, change["delta"], ledger, quantities))
        return errors, planned


def _error(code: str, message: str, field: list[str] | None) -> dict:
    return {"code": code, "message": message, "field": field}


def _failure(code: str, message: str, field: list[str] | None) -> dict:
    return {"group": None, "userErrors": [_error(code, message, field)]}
