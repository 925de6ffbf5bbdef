"""Group commit for the inbox insert: request threads of one web process share a transaction and its WAL flush.

Storing a delivery durably costs a commit, and a commit costs a WAL flush; at intake rates that flush, not the
insert, is most of the database's work per delivery. Each request thread hands its row to `GroupCommit.store`
and blocks; one thread at a time (whichever takes the flush lock first) inserts every row queued by then in
one pipelined transaction and commits it, then wakes the others. A thread answers only after the transaction
holding its row committed, so "stored first, never lost" holds as it did with one commit per row: nothing is
acknowledged before it is durable (the server's `synchronous_commit` is left as it is).

If the shared transaction fails (a row the database refuses, a lost connection), each of its rows is stored
again on its own, so one bad row fails only its own request. Must not enqueue anything or talk to Redis: the
caller wakes a worker once its row is stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)
MAX_GROUP = 64  # rows per transaction at most; a web process has a handful of request threads anyway


class _Entry:
    __slots__ = ("values", "done", "row", "error")

    def __init__(self, values: dict):
        self.values = values
        self.done = False
        self.row = None
        self.error: BaseException | None = None


class GroupCommit:
    """One per web process (per intake engine). `connect()` returns a pooled DBAPI connection wrapper
    (`.driver_connection` a psycopg connection in autocommit mode, `.close()` returns it to the pool,
    `.invalidate()` drops it); `statement` is the insert in psycopg's placeholders, returning one row or none.
    """

    def __init__(self, connect: Callable, statement: str):
        self._connect = connect
        self._statement = statement
        self._queue: list[_Entry] = []
        self._queue_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self.groups = 0  # transactions committed (for the benchmark's report)
        self.rows = 0

    def store(self, values: dict):
        """Insert one row and return what the statement returned (None on a conflict), once committed."""
        entry = _Entry(values)
        with self._queue_lock:
            self._queue.append(entry)
        with self._flush_lock:
            if not entry.done:  # the previous holder did not take it: flush everything queued, this one too
                with self._queue_lock:
                    group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                self._flush(group)
        if not entry.done:  # more than MAX_GROUP were queued ahead of it: its turn comes in a later group
            return self.store(values)
        if entry.error is not None:
            raise entry.error
        return entry.row

    def _flush(self, group: list[_Entry]) -> None:
        try:
            if len(group) == 1:
                group[0].row = self._run(lambda conn: _insert_one(conn, self._statement, group[0].values))
            else:
                rows = self._run(lambda conn: _insert_group(conn, self._statement, group))
                for entry, row in zip(group, rows, strict=True):
                    entry.row = row
            self.groups += 1
            self.rows += len(group)
        except Exception as exc:
            if len(group) == 1:
                group[0].error = exc
            else:
                log.warning("webhook intake: a group of %d rows failed (%s); storing each on its own",
                            len(group), type(exc).__name__)  # fmt: skip
                for entry in group:
                    try:
                        entry.row = self._run(
                            lambda conn, e=entry: _insert_one(conn, self._statement, e.values)
                        )
                    except Exception as one:
                        entry.error = one
        for entry in group:
            entry.done = True

    def _run(self, work: Callable):
        """`work(psycopg connection)` on a pooled connection, tried once more on a fresh one when the server
        had closed it (a restarted database): the pool skips the ping that would cost a round trip each time."""
        for attempt in (1, 2):
            conn = self._connect()
            try:
                return work(conn.driver_connection)
            except psycopg.OperationalError:
                if attempt == 2 or not conn.driver_connection.closed:
                    raise
                conn.invalidate()  # the pool opens a fresh connection for the next checkout
                log.warning("webhook intake: database connection lost; retrying on a new connection")
            finally:
                conn.close()
        return None


def _insert_one(conn: psycopg.Connection, statement: str, values: dict):
    with conn.cursor() as cursor:  # autocommit: the insert is its own transaction, one round trip
        cursor.execute(statement, values)
        return cursor.fetchone()


def _insert_group(conn: psycopg.Connection, statement: str, group: list[_Entry]) -> list:
    """Every row of the group in one transaction, sent in one pipeline; one result (a row or None) each."""
    rows = []
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany(statement, [e.values for e in group], returning=True)
        while True:
            rows.append(cursor.fetchone())
            if not cursor.nextset():
                break
    return rows
