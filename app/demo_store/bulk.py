"""Bulk query operations: validate, run in pages, write Shopify's JSONL, report, notify.

The output follows Shopify's bulk format: every node of every connection is its own line; a nested node's
line carries ``__parentId`` (the id of the node it belongs to) and follows its parent; nested connections
are removed from the parent's line. Nested connections hold every node, whatever ``first`` says (Shopify
pages them itself). Status goes CREATED → RUNNING → COMPLETED (or FAILED / CANCELED). At
most five operations may be CREATED or RUNNING per shop. On completion ``bulk_operations/finish`` is fired.

Runs in a thread (``bulk_mode="thread"``), in a forked process of its own (``"process"``: file-backed stores
only; concurrent operations then run in parallel, as Shopify's do, instead of taking turns on one GIL), at
once after the mutation answered (``"sync"``), or when ``run_pending_bulk`` is called (``"manual"``, for
tests of the in-between states).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import graphql

from app.demo_store import catalog

log = logging.getLogger(__name__)
MAX_RUNNING = 5
BULK_ID_BASE = 7_000_000
BULK_ROOTS = ("products", "productVariants", "orders", "collections", "locations", "inventoryItems")


def _is_connection(value) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("edges"), list) or isinstance(value.get("nodes"), list)
    )


def _connection_nodes(value: dict) -> list:
    if isinstance(value.get("edges"), list):
        return [edge.get("node") for edge in value["edges"] if isinstance(edge, dict)]
    return list(value["nodes"])


def flatten(node: dict, parent_id: str | None, out: list[dict]) -> None:
    """Append ``node`` and, after it, the nodes of its nested connections, as bulk lines."""
    line, children = _split(node)
    if parent_id is not None:
        line["__parentId"] = parent_id
    out.append(line)
    own_id = node.get("id") or parent_id
    for child in children:
        flatten(child, own_id, out)


def _split(value: dict) -> tuple[dict, list[dict]]:
    line, children = {}, []
    for key, item in value.items():
        if _is_connection(item):
            children.extend(n for n in _connection_nodes(item) if isinstance(n, dict))
        elif isinstance(item, dict):
            inner, nested = _split(item)
            line[key] = inner
            children.extend(nested)
        else:
            line[key] = item
    return line, children


def validate_bulk_query(query: str) -> str | None:
    """An error message if ``query`` cannot run as a bulk query, else None."""
    from app.demo_store.graphql_api import schema

    try:
        doc = graphql.parse(query)
    except graphql.GraphQLError as err:
        return f"Invalid bulk query: {err.message}"
    errors = graphql.validate(schema(), doc)
    if errors:
        return f"Invalid bulk query: {errors[0].message}"
    operation = graphql.get_operation_ast(doc)
    if operation is None or operation.operation != graphql.OperationType.QUERY:
        return "Invalid bulk query: bulk queries must be a single query operation."
    roots = [s for s in operation.selection_set.selections if isinstance(s, graphql.FieldNode)]
    if len(roots) != 1 or roots[0].name.value not in BULK_ROOTS:
        return (
            "Invalid bulk query: the demo store runs bulk queries over one top-level "
            + ", ".join(f"`{r}`" for r in BULK_ROOTS)
            + "."
        )
    return None


class BulkMixin:
    def create_bulk(self, shop: str, query: str) -> tuple[object | None, list[dict]]:
        message = validate_bulk_query(query)
        if message:
            return None, [{"field": ["query"], "message": message, "code": "INVALID"}]
        with self.db.transaction() as conn:
            running = conn.execute(
                "SELECT COUNT(*) FROM bulk_operations WHERE shop=? AND status IN ('CREATED','RUNNING')",
                (shop,),
            ).fetchone()[0]
            if running >= MAX_RUNNING:
                message = (
                    f"A maximum of {MAX_RUNNING} bulk query operations can run at once for this app and shop."
                )
                return None, [{"field": None, "message": message, "code": "LIMIT_REACHED"}]
            row_id = conn.execute(
                "INSERT INTO bulk_operations (shop, status, query, created_at) VALUES (?,?,?,?)",
                (shop, "CREATED", query, self.now_iso()),
            ).lastrowid
        return self.db.one("SELECT * FROM bulk_operations WHERE id=?", (row_id,)), []

    def start_bulk(self, row_id: int) -> None:
        if self.bulk_mode == "process" and self.path != ":memory:":
            pid = os.fork()  # not multiprocessing: the store may itself run in a daemonic process
            if pid == 0:
                _run_forked(self, row_id)
            threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True).start()  # reaped when it ends
        elif self.bulk_mode in ("thread", "process"):
            threading.Thread(target=self.run_bulk, args=(row_id,), daemon=True).start()
        elif self.bulk_mode == "sync":
            self.run_bulk(row_id)

    def run_pending_bulk(self) -> int:
        rows = self.db.all("SELECT id FROM bulk_operations WHERE status='CREATED' ORDER BY id")
        for row in rows:
            self.run_bulk(row["id"])
        return len(rows)

    def bulk_row(self, shop: str, numeric_id: int):
        return self.db.one(
            "SELECT * FROM bulk_operations WHERE id=? AND shop=?", (numeric_id - BULK_ID_BASE, shop)
        )

    def bulk_rows(self, shop: str) -> list:
        return self.db.all("SELECT * FROM bulk_operations WHERE shop=? ORDER BY id DESC", (shop,))

    def bulk_path(self, shop: str, numeric_id: int) -> Path:
        return self.bulk_dir / shop / f"{numeric_id}.jsonl"

    def cancel_bulk(self, row_id: int) -> None:
        self.db.run("UPDATE bulk_operations SET status='CANCELED', completed_at=? WHERE id=? AND status IN "
                    "('CREATED','RUNNING')", (self.now_iso(), row_id))  # fmt: skip

    def run_bulk(self, row_id: int) -> None:
        from app.demo_store.bulk_exec import LeanExecutor
        from app.demo_store.graphql_api import ROOT, Context, schema

        row = self.db.one("SELECT * FROM bulk_operations WHERE id=?", (row_id,))
        if row is None or row["status"] != "CREATED":
            return
        shop, numeric = row["shop"], BULK_ID_BASE + row_id
        self.db.run("UPDATE bulk_operations SET status='RUNNING' WHERE id=?", (row_id,))
        path = self.bulk_path(shop, numeric)
        path.parent.mkdir(parents=True, exist_ok=True)
        executor = LeanExecutor(schema(), graphql.parse(row["query"]))
        base_url = f"{self.public_url}/demo-store/{shop}"
        objects = roots = 0
        status, error_code = "COMPLETED", None
        try:
            with path.open("w", encoding="utf-8") as fh:
                after = None
                while True:
                    ctx = Context(store=self, shop=shop, base_url=base_url, bulk=True, bulk_after=after)
                    (root,) = executor.run(ROOT, ctx).values()
                    for node in _connection_nodes(root):
                        lines: list[dict] = []
                        flatten(node, None, lines)
                        roots += 1
                        objects += len(lines)
                        fh.writelines(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
                    if ctx.bulk_next is None:
                        break
                    after = ctx.bulk_next
                    if self._bulk_canceled(row_id):
                        status = "CANCELED"
                        break
        except Exception:  # a failed run is reported the way Shopify reports it, not raised
            log.exception("demo-store bulk operation %s failed", numeric)
            status, error_code = "FAILED", "INTERNAL_SERVER_ERROR"
        self.db.run(
            "UPDATE bulk_operations SET status=?, completed_at=?, object_count=?, root_object_count=?, "
            "file_size=?, error_code=? WHERE id=? AND status='RUNNING'",
            (status, self.now_iso(), objects, roots, path.stat().st_size if path.exists() else None, error_code,
             row_id),
        )  # fmt: skip
        done = self.db.one("SELECT * FROM bulk_operations WHERE id=?", (row_id,))
        self.fire(shop, "bulk_operations/finish", {
            "admin_graphql_api_id": catalog.gid("BulkOperation", numeric),
            "completed_at": done["completed_at"], "created_at": done["created_at"],
            "error_code": done["error_code"].lower() if done["error_code"] else None,
            "status": done["status"].lower(), "type": "query",
        })  # fmt: skip

    def _bulk_canceled(self, row_id: int) -> bool:
        row = self.db.one("SELECT status FROM bulk_operations WHERE id=?", (row_id,))
        return row is not None and row["status"] == "CANCELED"


def _run_forked(store, row_id: int) -> None:
    """In the forked child: its own SQLite connection (one must not cross a fork), the finish webhook sent
    before the process ends."""
    from app.demo_store.db import Database

    code = 1
    try:
        store.db = Database(store.path)
        store.webhook_async = False
        store.run_bulk(row_id)
        code = 0
    finally:
        os._exit(code)  # never back into the parent's request handling
