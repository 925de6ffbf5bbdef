"""Lists of ids cut to a size one SQL statement can bind.

Every value of `column IN (...)` is one bind parameter, and a statement may bind at most 65,535 on Postgres
(32,766 on SQLite): a location holding 100,000 products' 300,000 inventory items, a collection of 40,000
products or a sweep of every product a store deleted would fail there. Writers that take a shop-sized list go
through `chunks`; the order is kept (sorted ids stay sorted), so row locks taken chunk after chunk are still
taken in id order and two lockers never deadlock. Imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

IN_CHUNK = 5_000


def chunks(values: Iterable, size: int = IN_CHUNK) -> Iterator[list]:
    """`values` in order, in lists of at most `size` (none for no values)."""
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
