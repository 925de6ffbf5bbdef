"""The overlay's storage: one small stdlib ``sqlite3`` file shared by the CLI and the app processes.

Only what differs from the generated catalog lives here (changed and deleted products, inventory levels,
orders placed and checkouts started through the store, webhook subscriptions, tokens, bulk operations, idempotency keys), so the
file stays tiny however large the catalog. One connection per `DemoStore`, guarded by a lock: the store
serves a demo and tests, not production traffic, and ``:memory:`` then works without a shared cache.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS shops (
    shop TEXT PRIMARY KEY, seed INTEGER NOT NULL, product_count INTEGER NOT NULL,
    order_count INTEGER NOT NULL, created_at TEXT NOT NULL,
    throttle_max REAL, throttle_rate REAL, throttle_off INTEGER NOT NULL DEFAULT 0,
    catalog TEXT NOT NULL DEFAULT 'uniform'
);
CREATE TABLE IF NOT EXISTS product_changes (
    shop TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (shop, idx)
);
CREATE TABLE IF NOT EXISTS inventory (
    shop TEXT NOT NULL, item_id INTEGER NOT NULL, location_id INTEGER NOT NULL, quantities TEXT NOT NULL,
    updated_at TEXT NOT NULL, PRIMARY KEY (shop, item_id, location_id)
);
CREATE TABLE IF NOT EXISTS placed_orders (
    shop TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (shop, idx)
);
CREATE TABLE IF NOT EXISTS checkouts (
    shop TEXT NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (shop, id)
);
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, shop TEXT NOT NULL, topic TEXT NOT NULL, uri TEXT NOT NULL,
    format TEXT NOT NULL, api_version TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, shop TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL,
    expires_at REAL, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS oauth_codes (
    code TEXT PRIMARY KEY, shop TEXT NOT NULL, scope TEXT NOT NULL, created_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS bulk_operations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, shop TEXT NOT NULL, status TEXT NOT NULL, query TEXT NOT NULL,
    created_at TEXT NOT NULL, completed_at TEXT, object_count INTEGER NOT NULL DEFAULT 0,
    root_object_count INTEGER NOT NULL DEFAULT 0, file_size INTEGER, error_code TEXT
);
CREATE TABLE IF NOT EXISTS idempotency (
    shop TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, result TEXT NOT NULL,
    PRIMARY KEY (shop, key)
);
"""


class Database:
    def __init__(self, path: str):
        self.path = path
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self.conn.row_factory = sqlite3.Row
        if path != ":memory:":
            # WAL lets the CLI write while the app process reads.
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(SCHEMA)
        columns = {row["name"] for row in self.conn.execute("PRAGMA table_info(shops)")}
        if "catalog" not in columns:  # a file made before shops had a catalog kind: they were all uniform
            self.conn.execute("ALTER TABLE shops ADD COLUMN catalog TEXT NOT NULL DEFAULT 'uniform'")

    def all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    def one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchone()

    def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute a write; returns lastrowid."""
        with self.lock:
            return self.conn.execute(sql, tuple(params)).lastrowid

    def transaction(self):
        return _Transaction(self)

    def close(self) -> None:
        with self.lock:
            self.conn.close()


class _Transaction:
    def __init__(self, db: Database):
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.lock.acquire()
        # Nested use (a store method calling another inside a transaction) joins the outer transaction.
        self.outer = not self.db.conn.in_transaction
        if self.outer:
            self.db.conn.execute("BEGIN IMMEDIATE")
        return self.db.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.outer:
                self.db.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.db.lock.release()


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
