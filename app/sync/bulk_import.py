"""Streams finished bulk exports into the sync's writers: products, locations with their levels, orders.

Each import reads its JSONL line by line through the client (one root - a product with its variants and
media, an order with its line items - in memory at a time, never the file) and writes batches of `BATCH`
roots, each batch one transaction that also advances the export's `done` in the run's cursor, so a resumed
import skips what it already wrote. Products land through `units.write_product_batch` (the paged path's
writer, counts and sync_log), orders through `order_writer.upsert_orders`, locations through
`locations.write_location`. Each variant's image comes from the `variant_media` export as a map of variant
GID to media GID (two short strings per variant that has an image), set on the variant node before mapping.
Decides nothing about what runs next: that is `bulk`.
"""

from __future__ import annotations

import logging

from app.platforms.shopify.client import ShopifyClient
from app.sync import lifecycle
from app.sync.lifecycle import RunContext
from app.sync.locations import remove_missing_locations, write_location
from app.sync.mapping import order_from_graphql, product_from_graphql
from app.sync.order_writer import upsert_orders
from app.sync.units import write_product_batch

log = logging.getLogger(__name__)

BATCH = 250


def variant_images(client: ShopifyClient, url: str | None) -> dict[str, str | None]:
    """Each exported variant's first media item (None: the variant has no image of its own)."""
    return dict(client.iter_bulk_jsonl(url, "variant_media"))


def _with_image(node: dict, images: dict[str, str | None] | None) -> dict:
    if images is None:
        return node
    for variant in (node.get("variants") or {}).get("nodes") or []:
        if variant["id"] in images:  # a variant created after the variant export ran keeps its stored image
            media_id = images[variant["id"]]
            variant["media"] = {"nodes": [{"id": media_id}] if media_id else []}
    return node


def import_products(ctx: RunContext, client: ShopifyClient, export: dict, images, on_progress) -> None:
    skip = int(export.get("done") or 0)
    batch: list[dict] = []
    seen = 0
    for node in client.iter_bulk_jsonl(export.get("url"), "products"):
        seen += 1
        if seen <= skip:
            continue  # written before this job was interrupted
        batch.append(product_from_graphql(_with_image(node, images)))
        if len(batch) >= BATCH:
            _write_products(ctx, export, batch, seen, on_progress)
            batch = []
    if batch:
        _write_products(ctx, export, batch, seen, on_progress)


def _write_products(ctx: RunContext, export: dict, batch: list[dict], seen: int, on_progress) -> None:
    export["done"] = seen
    write_product_batch(ctx, batch)
    if on_progress is not None:
        on_progress(len(batch), ctx.total)


def import_orders(ctx: RunContext, client: ShopifyClient, export: dict) -> None:
    """Orders are counted on the export (`created`/`updated`), not on the run, whose counts are products."""
    skip = int(export.get("done") or 0)
    batch: list[dict] = []
    seen = 0
    for node in client.iter_bulk_jsonl(export.get("url"), "orders"):
        seen += 1
        if seen <= skip:
            continue
        batch.append(order_from_graphql(node))
        if len(batch) >= BATCH:
            _write_orders(ctx, export, batch, seen)
            batch = []
    if batch:
        _write_orders(ctx, export, batch, seen)


def _write_orders(ctx: RunContext, export: dict, batch: list[dict], seen: int) -> None:
    outcome = upsert_orders(
        ctx.workspace_id, batch, integration_id=ctx.integration_id, sync_run_id=ctx.run_id
    )
    export["done"] = seen
    for key in ("created", "updated", "skipped"):
        export[key] = int(export.get(key) or 0) + len(outcome[key])
    lifecycle.save_progress(ctx)


def import_locations(ctx: RunContext, client: ShopifyClient, export: dict) -> None:
    """Every location with every level at it (a few locations: re-read whole when resumed); then the
    locations Shopify no longer lists are removed, as the paged `sync_locations` does."""
    seen: set[int] = set()
    levels = 0
    for node, found in client.iter_bulk_jsonl(export.get("url"), "locations"):
        location_id, listed = write_location(ctx.workspace_id, ctx.integration_id, node, found)
        seen.add(location_id)
        levels += listed
    remove_missing_locations(ctx.workspace_id, ctx.integration_id, seen)
    export.update(done=len(seen), levels=levels)
    log.info("sync run %s: %s locations, %s levels from the bulk export", ctx.run_id, len(seen), levels)
