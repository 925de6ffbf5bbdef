"""Cost-aware throttling for the Admin GraphQL API: a local mirror of Shopify's leaky bucket.

Shopify answers every call with `extensions.cost` (`requestedQueryCost`, `actualQueryCost`,
`throttleStatus {maximumAvailable currentlyAvailable restoreRate}`). We keep that status with the time we
saw it and restore it with the (injected) clock, so before a request we know whether the bucket can pay for
it: if yes we go at once, if not we sleep exactly long enough for the restore to cover the difference. On a
`THROTTLED` error we wait for the restore and try again. Pure arithmetic: no HTTP, no sleeping here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.platforms.shopify.cost import MAX_QUERY_COST

MAX_PAGE_SIZE = 250  # Shopify's `first` limit for connections


@dataclass
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    @classmethod
    def from_extensions(cls, extensions: dict | None) -> ThrottleStatus | None:
        status = ((extensions or {}).get("cost") or {}).get("throttleStatus")
        if not status:
            return None
        return cls(
            maximum_available=float(status["maximumAvailable"]),
            currently_available=float(status["currentlyAvailable"]),
            restore_rate=float(status["restoreRate"]),
        )


class CostBucket:
    """What we know of the shop's bucket. Unknown until the first response: then we do not wait."""

    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self.status: ThrottleStatus | None = None
        self.seen_at = 0.0

    def observe(self, extensions: dict | None) -> None:
        status = ThrottleStatus.from_extensions(extensions)
        if status is not None:
            self.status = status
            self.seen_at = self.clock()

    def available(self) -> float | None:
        if self.status is None:
            return None
        restored = (self.clock() - self.seen_at) * self.status.restore_rate
        return min(self.status.maximum_available, self.status.currently_available + restored)

    def wait_for(self, cost: float) -> float:
        """Seconds to wait before a request of `cost`; 0 when the bucket can pay (or is unknown)."""
        available = self.available()
        if available is None or self.status is None or available >= cost:
            return 0.0
        # A request can never need more than a full bucket; asking for more would wait forever.
        need = min(cost, self.status.maximum_available) - available
        return max(0.0, need / self.status.restore_rate) if self.status.restore_rate > 0 else 0.0

    def spend(self, cost: float) -> None:
        """Charge a request locally until the server's answer replaces our estimate."""
        available = self.available()
        if available is not None and self.status is not None:
            self.status = ThrottleStatus(
                self.status.maximum_available, max(0.0, available - cost), self.status.restore_rate
            )
            self.seen_at = self.clock()

    @property
    def max_query_cost(self) -> int:
        """Largest single request: Shopify's 1,000 cap, or the bucket's size when that is smaller."""
        if self.status is None:
            return MAX_QUERY_COST
        return int(min(MAX_QUERY_COST, self.status.maximum_available))


def throttled_wait(extensions: dict | None, requested: float) -> float:
    """Seconds to wait after a `THROTTLED` error before the same request can be paid for."""
    status = ThrottleStatus.from_extensions(extensions)
    cost = ((extensions or {}).get("cost") or {}).get("requestedQueryCost", requested) or requested
    if status is None or status.restore_rate <= 0:
        return 1.0
    need = min(float(cost), status.maximum_available) - status.currently_available
    return max(need / status.restore_rate, 0.0) or 1.0 / status.restore_rate


def page_size_for(cost_of: Callable[[int], int], limit: int, wanted: int | None = None) -> int:
    """Largest `first` (≤ 250, ≤ wanted) whose requested cost stays under `limit`.

    `cost_of(n)` is the requested cost of the document with `first = n`; cost is linear in n, so two
    evaluations give the fixed part and the per-node part.
    """
    fixed = cost_of(0)
    per_node = max(1, cost_of(1) - fixed)
    size = (limit - fixed) // per_node
    cap = min(MAX_PAGE_SIZE, wanted) if wanted else MAX_PAGE_SIZE
    return max(1, min(cap, size))
