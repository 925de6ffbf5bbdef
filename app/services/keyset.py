"""Keyset pagination for the dashboard's long lists (orders, webhooks, sync logs, conversations).

Pages are ordered newest first by (timestamp, id) and the next page starts after the last row shown, so page
500 costs what page 1 costs (no OFFSET scan) and rows arriving meanwhile do not shift what the reader sees.
The cursor is a plain string safe for a query string. This module builds queries; it never reads the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, or_

from app.extensions import db

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    per_page: int


def per_page_from(value, default: int = DEFAULT_PER_PAGE) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(n, MAX_PER_PAGE))


def encode(when: datetime | None, row_id: int) -> str:
    return f"{when.astimezone(UTC).isoformat() if when else 'null'}_{row_id}"


def decode(cursor: str | None) -> tuple[datetime | None, int] | None:
    """(timestamp or None, id), or None for no/garbled cursor (a bad link shows the first page)."""
    if not cursor or "_" not in cursor:
        return None
    when_text, _, id_text = cursor.rpartition("_")
    try:
        row_id = int(id_text)
        when = None if when_text == "null" else datetime.fromisoformat(when_text)
    except ValueError:
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
    return Page(rows, next_cursor, per_page)
