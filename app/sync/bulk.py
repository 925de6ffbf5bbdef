"""The bulk path of a catalog sync: `bulkOperationRunQuery`, then stream the JSONL into the same upserts.

Used for catalogs over `SYNC_BULK_THRESHOLD` and on request (`kind="bulk"`). A run goes through two phases
kept in `integration.sync_cursor`: `waiting` (the export runs at Shopify; the job returns and the run stays
in progress) and `importing` (the file is read line by line and written in batches of `BATCH` products,
each batch one transaction that advances `done`). The `BULK_OPERATIONS_FINISH` webhook continues a waiting
run through `service.continue_bulk`; the minute sweeper polls `bulkOperation(id:)` as the fallback. A resumed
import skips the `done` products it already wrote. Never loads the file: one product in memory at a time
(plus the batch being written). Called by `runner`; writes through `units`, never back through the runner.
"""

from __future__ import annotations

import logging

from app.platforms.errors import ShopifyBulkOperationFailed
from app.platforms.shopify.client import ShopifyClient
from app.sync import lifecycle
from app.sync.lifecycle import RunContext
from app.sync.mapping import product_from_graphql
from app.sync.units import write_product_batch

log = logging.getLogger(__name__)

BATCH = 250
PENDING = ("CREATED", "RUNNING")


def sync_bulk(ctx: RunContext, client: ShopifyClient, on_progress=None) -> str:
    """ "done" after the import, or "waiting" while Shopify still builds the export."""
    cursor = ctx.cursor
    if not cursor.get("bulk_operation_id"):
        operation = client.run_bulk_products(cursor.get("query"))
        cursor.update(mode="bulk", bulk_operation_id=operation["id"], phase="waiting", done=0)
        lifecycle.save_progress(ctx)
        log.info("sync run %s: bulk operation %s started", ctx.run_id, operation["id"])
    operation = client.get_bulk_operation(cursor["bulk_operation_id"]) or {"status": "MISSING"}
    status = operation.get("status")
    if status in PENDING:
        lifecycle.heartbeat(ctx)
        return "waiting"
    if status != "COMPLETED":
        # The next run must start a fresh export, not wait on this dead one again.
        for key in ("bulk_operation_id", "phase", "done"):
            cursor.pop(key, None)
        lifecycle.save_progress(ctx)
        raise ShopifyBulkOperationFailed(
            f"bulk operation ended {status} ({operation.get('errorCode')})", details=operation
        )
    cursor["phase"] = "importing"
    total = operation.get("rootObjectCount")
    lifecycle.save_progress(ctx, total=int(total) if total is not None else None)
    _import(ctx, client.iter_bulk_jsonl(operation.get("url")), on_progress)
    return "done"


def _import(ctx: RunContext, products, on_progress) -> None:
    skip = int(ctx.cursor.get("done") or 0)
    batch: list[dict] = []
    seen = 0
    for node in products:
        seen += 1
        if seen <= skip:
            continue  # written before this job was interrupted
        batch.append(product_from_graphql(node))
        if len(batch) >= BATCH:
            write_product_batch(ctx, batch, done=seen)
            if on_progress is not None:
                on_progress(len(batch), ctx.total)
            batch = []
    if batch:
        write_product_batch(ctx, batch, done=seen)
        if on_progress is not None:
            on_progress(len(batch), ctx.total)
