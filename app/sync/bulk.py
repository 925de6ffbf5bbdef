"""The bulk path of a sync: concurrent `bulkOperationRunQuery` exports, each streamed into the same writers.

Used for catalogs over `SYNC_BULK_THRESHOLD` and on request (`kind="bulk"`). A whole-shop run exports
products, each variant's image (`variant_media`: a bulk query allows two levels of connections, so it comes
from the `productVariants` root), locations with their inventory levels, and orders - as concurrent bulk
operations, up to `SyncOptions.bulk_concurrency` at once (Shopify allows five per shop since 2026-01). An
export Shopify refuses because the shop is at its limit (`ShopifyBulkLimitReached`) stays queued and is
started again when one finishes (the next look at the run); the run never fails for it.

Everything lives in `integration.sync_cursor["exports"]`: per export its operation id, status (`queued`,
`running`, `completed`, `imported`), result URL and `done` (roots already written). `phase` is `waiting`
while any export is out at Shopify, `importing` while a file is read. The `BULK_OPERATIONS_FINISH` webhook
continues a waiting run through `service.continue_bulk`; the minute sweeper polls as the fallback. Imports
go in a fixed order - products (with their variants' images) first, because locations' levels and orders'
line items are matched to variants - then locations and orders, each as soon as its file is ready. A
resumed import skips the `done` roots it already wrote. Called by `runner`; writes through `bulk_import`.
"""

from __future__ import annotations

import logging

from app.platforms.errors import ShopifyBulkLimitReached, ShopifyBulkOperationFailed
from app.platforms.shopify.client import ShopifyClient
from app.sync import bulk_import, lifecycle
from app.sync.lifecycle import RunContext

log = logging.getLogger(__name__)

BATCH = bulk_import.BATCH
PENDING = ("CREATED", "RUNNING")
# Import order; `products` needs `variant_media` too (see `_ready`).
WHOLE_SHOP = ("products", "variant_media", "locations", "orders")
FILTERED = ("products", "variant_media")


def sync_bulk(ctx: RunContext, client: ShopifyClient, on_progress=None, *, concurrency: int = 5) -> str:
    """ "done" after every export is imported, or "waiting" while Shopify still builds one of them."""
    exports = _exports(ctx)
    at_limit = False
    while True:
        finished = _poll(ctx, client, exports)
        progressed = finished
        if finished or not at_limit:  # after a refusal, ask again only once one of ours has finished
            started, at_limit = _start_queued(ctx, client, exports, max(1, concurrency))
            progressed |= started
        progressed |= _import_ready(ctx, client, exports, on_progress)
        if all(e["status"] == "imported" for e in exports.values()):
            return "done"
        if not progressed:
            ctx.cursor["phase"] = "waiting"
            lifecycle.heartbeat(ctx)
            return "waiting"


def operation_ids(cursor: dict) -> set[str]:
    """The bulk operations a run's cursor waits on (for the finish webhook)."""
    ids = {e.get("id") for e in (cursor.get("exports") or {}).values() if e.get("status") == "running"}
    return {i for i in ids if i}


def _exports(ctx: RunContext) -> dict:
    cursor = ctx.cursor
    if not cursor.get("exports"):
        kinds = WHOLE_SHOP if cursor.get("query") is None else FILTERED
        cursor.update(
            mode="bulk", phase="waiting", exports={k: {"status": "queued", "done": 0} for k in kinds}
        )
        lifecycle.save_progress(ctx)
    return cursor["exports"]


def _start_queued(
    ctx: RunContext, client: ShopifyClient, exports: dict, concurrency: int
) -> tuple[bool, bool]:
    """Start queued exports while fewer than `concurrency` run; (any started?, refused at the limit?)."""
    running = sum(e["status"] == "running" for e in exports.values())
    started = False
    for kind, export in exports.items():
        if export["status"] != "queued" or running >= concurrency:
            continue
        try:
            if kind == "products":
                operation = client.run_bulk_products(ctx.cursor.get("query"))
            else:
                operation = client.run_bulk_query(kind)
        except ShopifyBulkLimitReached as exc:
            # Shopify runs as many as it allows for this shop (ours or another app's): try again when one ends.
            export["refused"] = int(export.get("refused") or 0) + 1
            lifecycle.save_progress(ctx)
            log.info("sync run %s: %s export refused, retried later: %s", ctx.run_id, kind, exc)
            return started, True
        export.update(status="running", id=operation["id"])
        running += 1
        started = True
        lifecycle.save_progress(ctx)
        log.info("sync run %s: bulk operation %s (%s) started", ctx.run_id, operation["id"], kind)
    return started, False


def _poll(ctx: RunContext, client: ShopifyClient, exports: dict) -> bool:
    changed = False
    for kind, export in exports.items():
        if export["status"] != "running":
            continue
        operation = client.get_bulk_operation(export["id"]) or {"status": "MISSING"}
        status = operation.get("status")
        if status in PENDING:
            continue
        if status != "COMPLETED":
            # The next run must start a fresh export of this part, not wait on this dead one again.
            export.update(status="queued", id=None, done=0)
            lifecycle.save_progress(ctx)
            raise ShopifyBulkOperationFailed(
                f"bulk operation for {kind} ended {status} ({operation.get('errorCode')})", details=operation
            )
        count = operation.get("rootObjectCount")
        export.update(status="completed", url=operation.get("url"),
                      roots=int(count) if count is not None else None)  # fmt: skip
        changed = True
    if changed:
        lifecycle.save_progress(ctx)
    return changed


def _ready(kind: str, exports: dict) -> bool:
    export = exports[kind]
    if export["status"] != "completed":
        return False
    if kind == "products":
        return exports.get("variant_media", {"status": "completed"})["status"] in ("completed", "imported")
    if kind == "variant_media":
        return False  # read with the products
    return exports["products"]["status"] == "imported"


def _import_ready(ctx: RunContext, client: ShopifyClient, exports: dict, on_progress) -> bool:
    imported = False
    for kind in list(exports):
        if not _ready(kind, exports):
            continue
        ctx.cursor["phase"] = "importing"
        if kind == "products":
            roots = exports["products"].get("roots")
            lifecycle.save_progress(ctx, total=roots if roots is not None else None)
            media = exports.get("variant_media")
            images = bulk_import.variant_images(client, media["url"]) if media else None
            bulk_import.import_products(ctx, client, exports["products"], images, on_progress)
            if media:
                media["status"] = "imported"
        elif kind == "locations":
            bulk_import.import_locations(ctx, client, exports["locations"])
        else:
            bulk_import.import_orders(ctx, client, exports["orders"])
        exports[kind]["status"] = "imported"
        lifecycle.save_progress(ctx)
        imported = True
    return imported
