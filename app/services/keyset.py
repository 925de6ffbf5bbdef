"""Keyset pagination for the dashboard's long lists (orders, webhooks, sync logs, conversations).

Pages are ordered newest first by (timestamp, id) and the next page starts after the last row shown, so page
500 costs what page 1 costs (no OFFSET scan) and rows arriving meanwhile do not shift what the reader sees.
The cursor is an opaque URL-safe base64 token (no `+`, `:`, `/` or `=`), so a client pasting `next_cursor`
into a URL without encoding it still sends it back intact. `decode` answers None for anything it did not
make: pages start again at the first page, the API answers 400. This module builds queries; it never reads
the request.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Select, and_, func, or_, select

from app.extensions import db

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


def count_of(stmt: Select | None) -> int | None:
    """How many rows `stmt` selects (its filters, not its order or page)."""
    if stmt is None:
        return None
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    per_page: int
    # The list's filtered statement, counted only when something reads `total` (the pager does, the JSON
    # API does not), so a caller that shows no total pays no COUNT.
    filtered: Select | None = field(default=None, repr=False, compare=False)

    @cached_property
    def total(self) -> int | None:
        """Every row the list's filters match, on all pages."""
        return count_of(self.filtered)


def per_page_from(value, default: int = DEFAULT_PER_PAGE) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(n, MAX_PER_PAGE))


def encode(when: datetime | None, row_id: int) -> str:
    raw = json.dumps([when.astimezone(UTC).isoformat() if when else None, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str | None) -> tuple[datetime | None, int] | None:
    """(timestamp or None, id), or None for no/garbled cursor (a bad link shows the first page)."""
    if not cursor or len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when_text, row_id = json.loads(raw)
        if isinstance(row_id, bool) or not isinstance(row_id, int):
            return None
        when = None if when_text is None else datetime.fromisoformat(when_text)
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError):  # JSONDecodeError is a ValueError
        return None
    if when is not None and when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when, row_id


def paginate(
    stmt: Select, time_col, id_col, cursor: str | None, per_page: int, *, nullable: bool = False
) -> Page:
    """Run `stmt` (selecting one entity) newest first, starting after `cursor`.

    With `nullable`, rows whose timestamp is NULL come first: that is the order Postgres reads a plain
    (workspace_id, time) index backwards in, so the first page stays an index scan instead of a sort.
    """
    filtered = stmt
    position = decode(cursor)
    if position is not None:
        when, row_id = position
        if when is None:
            stmt = stmt.where(or_(and_(time_col.is_(None), id_col < row_id), time_col.is_not(None)))
        else:
            stmt = stmt.where(or_(time_col < when, and_(time_col == when, id_col < row_id)))
    order = time_col.desc().nulls_first() if nullable else time_col.desc()
    rows = list(db.session.scalars(stmt.order_by(order, id_col.desc()).limit(per_page + 1)))
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        last = rows[-1]
        next_cursor = encode(getattr(last, time_col.key), last.id)
    return Page(rows, next_cursor, per_page, filtered)
