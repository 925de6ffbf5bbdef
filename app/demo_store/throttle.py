"""The per-shop leaky bucket behind ``extensions.cost.throttleStatus``.

Shopify gives each app+store pair a bucket of ``maximumAvailable`` points refilled at ``restoreRate`` points
per second; a query is charged its requested cost up front and refunded what it did not use. The size and
rate are settings of the shop (persisted, so ``flask demo-store throttle`` in another process applies);
the level itself is kept in memory, read against the store's injectable clock, so tests never sleep.
``off`` makes every request free while still reporting a full bucket.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class BucketSettings:
    maximum: float
    rate: float
    off: bool


class Throttle:
    def __init__(self, store):
        self.store = store
        self.lock = threading.Lock()
        self.levels: dict[str, tuple[float, float]] = {}  # shop -> (available, at)

    def settings(self, shop: str) -> BucketSettings:
        row = self.store.shop_row(shop)
        return BucketSettings(
            maximum=row["throttle_max"] if row["throttle_max"] is not None else self.store.max_available,
            rate=row["throttle_rate"] if row["throttle_rate"] is not None else self.store.restore_rate,
            off=bool(row["throttle_off"]) or self.store.throttle_off,
        )

    def configure(self, shop: str, *, maximum: float | None = None, rate: float | None = None,
                  off: bool = False) -> BucketSettings:  # fmt: skip
        """Set the shop's bucket (``None`` keeps the store default) and refill it."""
        self.store.shop_row(shop)
        self.store.db.run(
            "UPDATE shops SET throttle_max=?, throttle_rate=?, throttle_off=? WHERE shop=?",
            (maximum, rate, int(off), shop),
        )
        with self.lock:
            self.levels.pop(shop, None)
        return self.settings(shop)

    def _available(self, shop: str, settings: BucketSettings, now: float) -> float:
        available, at = self.levels.get(shop, (settings.maximum, now))
        return min(settings.maximum, available + max(0.0, now - at) * settings.rate)

    def status(self, shop: str) -> dict:
        settings = self.settings(shop)
        with self.lock:
            available = (
                settings.maximum if settings.off else self._available(shop, settings, self.store.clock())
            )
        return _status(settings, available)

    def charge(self, shop: str, cost: int) -> tuple[bool, dict]:
        """Take ``cost`` points if the bucket holds them; (charged?, throttleStatus after)."""
        settings = self.settings(shop)
        if settings.off:
            return True, _status(settings, settings.maximum)
        now = self.store.clock()
        with self.lock:
            available = self._available(shop, settings, now)
            if cost > available:
                self.levels[shop] = (available, now)
                return False, _status(settings, available)
            available -= cost
            self.levels[shop] = (available, now)
        return True, _status(settings, available)

    def refund(self, shop: str, points: float) -> dict:
        settings = self.settings(shop)
        if settings.off:
            return _status(settings, settings.maximum)
        now = self.store.clock()
        with self.lock:
            available = min(settings.maximum, self._available(shop, settings, now) + max(points, 0))
            self.levels[shop] = (available, now)
        return _status(settings, available)


def _status(settings: BucketSettings, available: float) -> dict:
    return {
        "maximumAvailable": float(settings.maximum),
        "currentlyAvailable": int(available),
        "restoreRate": float(settings.rate),
    }
