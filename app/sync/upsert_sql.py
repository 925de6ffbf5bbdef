"""The catalog writer's set-based statements, built once per backend and reused for every batch.

Postgres gets one INSERT ... SELECT FROM json_to_recordset(<the whole batch as one JSON text>) per batch: a
short statement text with ONE parameter, whatever the batch size. The multi-row VALUES form (what
SQLAlchemy's "insertmanyvalues" sends) has a parameter per cell, and psycopg re-parses such a long text on
every execution; one array per column (`unnest`) still had psycopg quote every element in Python, which cost
as much as the database's own work. orjson encodes the batch in C and Postgres parses it in C.
SQLite keeps the Core executemany form (it has no arrays; its statements are cheap in-process calls).

Statements target Tables, not mapped classes: `session.execute(insert(Model), rows)` takes the ORM bulk
path, which splits a batch into one statement per distinct set of NULL columns. This module only builds
and runs statements; which rows to write is `catalog_writer`'s business.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache

import orjson
from sqlalchemy import JSON, Table, Text, bindparam, cast, column, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def _json_batch(rows: list[dict]) -> str:
    # orjson writes datetimes (ISO 8601 with the offset, which Postgres reads) in C; Decimals go as text, no
    # detour through a binary float.
    return orjson.dumps(rows, default=_json_default).decode()


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to a JSON batch")


def dialect() -> str:
    return db.session.get_bind().dialect.name


def dialect_insert(model):
    return (postgresql.insert if dialect() == "postgresql" else sqlite.insert)(model)


def write_rows(
    table: Table,
    rows: list[dict],
    *,
    conflict: tuple[str, ...] = (),
    update: tuple[str, ...] = (),
    where: Callable | None = None,
    returning: tuple[str, ...] = (),
):
    """INSERT `rows` (dicts with the same keys) in one statement; with `conflict`, ON CONFLICT DO UPDATE
    SET `update` columns from the incoming row, only where `where(table, excluded)` holds."""
    name = dialect()
    columns = tuple(rows[0])
    stmt = _statement(name, table, columns, conflict, update, where, returning)
    # On the session's connection: these statements touch no loaded object, so the ORM has nothing to do.
    connection = db.session.connection()
    if name == "postgresql":
        return connection.execute(stmt, {"batch": _json_batch(rows)})
    return connection.execute(stmt, rows)


# Cached by identity of its arguments, so SQLAlchemy also finds the compiled form by identity instead of
# deriving a cache key from a fresh ON CONFLICT construct on every page.
@lru_cache(maxsize=64)
def _statement(name, table, columns, conflict, update, where, returning):
    if name == "postgresql":
        # The record's column types are the table's: JSON columns take the nested JSON value as it is.
        source = (
            func.json_to_recordset(cast(bindparam("batch", type_=Text), JSON))
            .table_valued(*(column(c, table.c[c].type) for c in columns))
            .render_derived(name="incoming", with_types=True)
        )
        stmt = postgresql.insert(table).from_select(list(columns), select(*(source.c[c] for c in columns)))
    elif conflict:
        stmt = sqlite.insert(table)
    else:
        stmt = insert(table)
    if conflict:
        set_ = {c: stmt.excluded[c] for c in update}
        condition = where(table, stmt.excluded) if where is not None else None
        stmt = stmt.on_conflict_do_update(index_elements=list(conflict), set_=set_, where=condition)
    if returning:
        # On SQLite, RETURNING is also what lets SQLAlchemy batch an executemany into multi-row VALUES.
        stmt = stmt.returning(*(table.c[c] for c in returning))
    return stmt


def newest_wins_upsert(
    model,
    rows: list[dict],
    *,
    key: tuple[str, ...],
    update: tuple[str, ...],
    keep_when_absent: tuple[str, ...],
    version: str,
    returning: tuple[str, ...],
):
    """INSERT `rows`, or update the row with the same `key` from the incoming one, only where the incoming
    `version` (Shopify's `updated_at`) is newer or either is unknown; the `keep_when_absent` columns keep the
    stored value when the incoming one is NULL (a source that lacks a field does not wipe it). Returns the
    statement's result: the `returning` columns of the rows written."""
    stmt = dialect_insert(model).values(rows)
    excluded = stmt.excluded
    set_ = {c: excluded[c] for c in update}
    for c in keep_when_absent:
        set_[c] = func.coalesce(excluded[c], getattr(model, c))
    stored = getattr(model, version)
    newer = stored.is_(None) | excluded[version].is_(None) | (stored < excluded[version])
    stmt = stmt.on_conflict_do_update(index_elements=list(key), set_=set_, where=newer).returning(
        *(getattr(model, c) for c in returning)
    )
    return db.session.execute(stmt)
