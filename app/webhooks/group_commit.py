"""Group commit for the inbox insert: request threads of one web process share one statement, one transaction
and its WAL flush, and one worker wake-up.

Storing a delivery durably costs a commit, and a commit costs a WAL flush; at intake rates that flush, the
round trip and the driver's work per statement, not the insert itself, are most of the cost per delivery.
Each request thread queues its row with `GroupCommit.store` and blocks; the thread that finds nobody flushing
becomes the leader and, until the queue is empty, stores every row queued by then as one multi-row
`INSERT ... ON CONFLICT DO NOTHING` (autocommit: one round trip, one commit) on this process's own
connection, calls `after_commit` once for the group (the caller wakes a worker there), then releases the
group's threads. A thread answers only after the statement holding its row committed, so "stored first,
never lost" holds as with one commit per row: nothing is acknowledged before it is durable (the server's
`synchronous_commit` is left as it is).

If the group's statement fails (a row the database refuses, a lost connection), each of its rows is stored
again on its own, so one bad row fails only its own request. Must not talk to Redis itself: `after_commit`
is the caller's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager

import psycopg

log = logging.getLogger(__name__)
MAX_GROUP = 64  # rows per statement at most; a web process has a handful of request threads anyway


class _Entry:
    __slots__ = ("values", "ready", "row", "error", "after")

    def __init__(self, values: tuple):
        self.values = values
        self.ready = threading.Lock()  # held until the entry's group is done: the thread waits on it
        self.ready.acquire()
        self.row = None
        self.error: BaseException | None = None
        self.after = None


class GroupCommit:
    """One per web process. `connect()` returns a pooled DBAPI connection wrapper (`.driver_connection` a
    psycopg connection in autocommit mode, `.invalidate()` drops it); it is kept for the process's life and
    used by one leader at a time. `statement(n)` is the insert of n rows in psycopg's positional
    placeholders, returning `key` (the value at `key_index` of a row's values) and whatever else the caller
    wants for each row it inserted. `after_commit(rows)` runs once per committed group, with the rows
    inserted (conflicts left out), before any of its threads is released; what it returns is each
    `store` caller's second value.
    """

    def __init__(self, connect: Callable, statement: Callable[[int], str], key_index: int,
                 after_commit: Callable[[list], object] | None = None):  # fmt: skip
        self._connect = connect
        self._statement = statement
        self._key_index = key_index
        self._after_commit = after_commit
        self._conn = None
        self._queue: list[_Entry] = []
        self._queue_lock = threading.Lock()
        self._flush_lock = threading.Lock()  # held by the leader, released only with the queue empty
        self.groups = 0  # statements committed (for the benchmark's report)
        self.rows = 0

    def store(self, values: tuple):
        """Insert one row; returns (the statement's row or None on a conflict, what `after_commit` returned)
        once committed."""
        entry = _Entry(values)
        with self._queue_lock:
            self._queue.append(entry)
            # Taken under the queue lock, and given back under it only with the queue empty (`_lead`): a row
            # queued while a leader works is always seen by that leader.
            leader = self._flush_lock.acquire(blocking=False)
        if leader:
            self._lead()
        entry.ready.acquire()
        if entry.error is not None:
            raise entry.error
        return entry.row, entry.after

    @contextmanager
    def held(self):
        """Hold off flushing (tests): rows stored meanwhile queue up, and are flushed as groups on exit."""
        with self._queue_lock:
            self._flush_lock.acquire()
        try:
            yield self._queue
        finally:
            self._lead()

    def _lead(self) -> None:
        if len(self._queue) == 1:
            # Alone: let this process's other runnable request threads (a request parsed, its row on the
            # way) reach `store` first, for the price of one hand-over of the interpreter lock. Without it a
            # leader arriving just after a group was released commits its row on its own.
            time.sleep(0)
        while True:
            with self._queue_lock:
                if not self._queue:
                    self._flush_lock.release()
                    return
                group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
            try:
                self._flush(group)
            finally:
                for entry in group:
                    entry.ready.release()

    def _flush(self, group: list[_Entry]) -> None:
        try:
            rows = self._run(lambda conn: self._insert(conn, group))
            self.groups += 1
            self.rows += len(group)
        except Exception as exc:
            if len(group) == 1:
                group[0].error = exc
                return
            log.warning("webhook intake: a group of %d rows failed (%s); storing each on its own",
                        len(group), type(exc).__name__)  # fmt: skip
            rows = []
            for entry in group:
                try:
                    rows += self._run(lambda conn, e=entry: self._insert(conn, [e]))
                except Exception as one:
                    entry.error = one
        self._after(group, rows)

    def _insert(self, conn: psycopg.Connection, group: list[_Entry]) -> list:
        """The group's rows in one statement; each entry gets its row (the first of two with the same key:
        the other is a duplicate and gets None). Returns the rows inserted."""
        params = [value for entry in group for value in entry.values]
        with conn.cursor() as cursor:
            cursor.execute(self._statement(len(group)), params)
            rows = cursor.fetchall()
        by_key = {row[-1]: row for row in rows}
        for entry in group:
            entry.row = by_key.pop(entry.values[self._key_index], None)
        return rows

    def _after(self, group: list[_Entry], rows: list) -> None:
        if self._after_commit is None or not rows:
            return
        try:
            after = self._after_commit(rows)
        except Exception:  # the rows are stored: a failed wake-up must not turn into a failed delivery
            log.exception("webhook intake: after-commit step failed")
            after = None
        for entry in group:
            entry.after = after

    def _run(self, work: Callable):
        """`work(psycopg connection)` on this process's connection, tried once more on a fresh one when the
        server had closed it (a restarted database): no ping per statement, which would cost a round trip."""
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self._connect()
            conn = self._conn
            try:
                return work(conn.driver_connection)
            except psycopg.OperationalError:
                if attempt == 2 or not conn.driver_connection.closed:
                    raise
                self._conn = None
                conn.invalidate()
                log.warning("webhook intake: database connection lost; retrying on a new connection")
        return None
