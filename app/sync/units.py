"""One unit of a sync run's progress for products: a page (paged path) or a JSONL batch (bulk path).

Shared by `runner` and `bulk`, which both import it (it imports neither): upsert the records through
`catalog_writer`, then record the counts and the cursor through `lifecycle`, in one commit. Must not fetch
anything or decide what comes next.
"""

from __future__ import annotations

from app.sync import lifecycle
from app.sync.catalog_writer import upsert_products
from app.sync.lifecycle import RunContext


def write_product_batch(ctx: RunContext, records: list[dict], **cursor_update) -> None:
    """Upsert, log, count, cursor, commit.

    Not `durable`: the unit's rows, counts and cursor commit together, so a database crash can only lose
    the last few units whole, and the run resumes from the cursor that survived; meanwhile no page waits
    for a disk flush on the sync's critical path.
    """
    result = upsert_products(
        ctx.workspace_id, records, integration_id=ctx.integration_id, sync_run_id=ctx.run_id,
        currency=ctx.currency, durable=False,
    )  # fmt: skip
    ctx.cursor.update(cursor_update)
    lifecycle.save_progress(
        ctx, processed=len(records), created=len(result.created), updated=len(result.updated),
        skipped=len(result.skipped),
    )  # fmt: skip
