"""The catalog writer's set-based statements, built once per backend and reused for every batch.

Postgres gets one INSERT ... SELECT FROM unnest(<one array per column>) per batch: a short statement text
with a parameter per column, whatever the batch size. The multi-row VALUES form (what SQLAlchemy's
"insertmanyvalues" sends) has a parameter per cell, and psycopg re-parses such a long text on every
execution; on a 24-product page of 3 variants that parsing cost more than the database's own work.
SQLite keeps the Core executemany form (it has no arrays; its statements are cheap in-process calls).

Statements target Tables, not mapped classes: `session.execute(insert(Model), rows)` takes the ORM bulk
path, which splits a batch into one statement per distinct set of NULL columns. This module only builds
and runs statements; which rows to write is `catalog_writer`'s business.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache

from sqlalchemy import ARRAY, JSON, Table, Text, bindparam, cast, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def _is_json(table: Table, column: str) -> bool:
    return isinstance(table.c[column].type, JSON)


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
    if name == "postgresql":
        params = {}
        for c in columns:
            values = [r[c] for r in rows]
            if _is_json(table, c):  # serialised here: ARRAY would read a JSON list as an array dimension
                values = [None if v is None else json.dumps(v) for v in values]
            params[f"{c}_list"] = values
        return db.session.execute(stmt, params)
    return db.session.execute(stmt, rows)


# Cached by identity of its arguments, so SQLAlchemy also finds the compiled form by identity instead of
# deriving a cache key from a fresh ON CONFLICT construct on every page.
@lru_cache(maxsize=64)
def _statement(name, table, columns, conflict, update, where, returning):
    if name == "postgresql":
        arrays = [
            bindparam(f"{c}_list", type_=ARRAY(Text if _is_json(table, c) else table.c[c].type))
            for c in columns
        ]
        source = func.unnest(*arrays).table_valued(*columns).render_derived(name="incoming")
        values = [cast(source.c[c], table.c[c].type) if _is_json(table, c) else source.c[c] for c in columns]
        stmt = postgresql.insert(table).from_select(list(columns), select(*values))
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
