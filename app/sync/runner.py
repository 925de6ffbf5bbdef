"""Runs one sync run: pages of products (or orders) from Shopify into the database, resumably.

Per page, ONE transaction: upserts (set-based, `catalog_writer` / `order_writer`), their sync_log lines,
`platform_sync.shopify`, the run's counts and `integration.sync_cursor` = the page's end cursor. A worker
killed at any point resumes from the last committed cursor: the page it was on is fetched again and lands as
skips, so nothing is duplicated or missed. The next page is fetched in a helper thread while this one is
written, so a sync costs little more than the fetch itself.

Kinds: `full` (everything, then soft-delete what Shopify no longer has; large catalogs switch to the bulk
path), `incremental` (`updated_at:>` the last sync minus an overlap), `bulk` (forced bulk export, see
`bulk.py`), `orders`. Platform failures after the client's retries fail the run with the merchant sentence
(`lifecycle.fail`); `NeedsReauth` stops at once. How a run is run (page size, client options, a hook after
each committed page) comes in as `SyncOptions`, read from the app's config when the run starts. This module
never builds SQL for rows itself and never talks HTTP except through the ShopifyClient. Imports flow one way:
`jobs` -> `runner` -> `bulk`, `units`, `facebook_push`, the writers and `lifecycle`; none of them imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import current_app
from rq import get_current_job
from sqlalchemy import select

from app.extensions import db
from app.integrations.clients import NeedsReauth, shopify_client
from app.models import Integration, Product, ProductVariant, SyncRun
from app.models.types import utcnow
from app.platforms.errors import PlatformError
from app.platforms.shopify import queries
from app.platforms.shopify.client import Page, ShopifyClient
from app.sync import bulk, connections, lifecycle
from app.sync.collections import sync_collections
from app.sync.facebook_push import enqueue_facebook_push
from app.sync.item_levels import note_new_levels
from app.sync.lifecycle import RunContext
from app.sync.locations import sync_locations
from app.sync.mapping import order_from_graphql, parse_time, product_from_graphql
from app.sync.options import SyncOptions
from app.sync.order_writer import upsert_orders
from app.sync.units import write_product_batch

log = logging.getLogger(__name__)

# Page shape. A product costs 1 + (2 + 3 per variant asked) + (2 + 2 per media asked) points and a request may
# ask for 1,000 (Shopify's documented rules), so the nested `first`s set the page size: 10 variants gave 24
# products a page, 3 give 49, and each page carries a request, a transaction and a commit. As Shopify
# advises, the nested size is the common case, not the worst: a product with more variants has the rest
# fetched by id (never dropped), one extra request for that product. The first page asks for
# VARIANTS_FIRST; later pages ask for what the catalog's pages so far show is cheapest (VariantsShape).
# Media, line items, fulfillments and refunds past a page's first few are read by `connections`.
VARIANTS_FIRST = 3
VARIANTS_FIRST_CHOICES = (3, 5, 10, 25, 50, 100)
MEDIA_FIRST = 3
LINE_ITEMS_FIRST = 50
INCREMENTAL_OVERLAP = timedelta(minutes=5)

ProgressCallback = Callable[[int, int | None], None]


def execute_run(
    run_id: int,
    *,
    on_progress: ProgressCallback | None = None,
    options: SyncOptions | None = None,
    then_orders: bool = False,
) -> str:
    """Claim and run `run_id`. Returns the run's status, "waiting" (bulk export still running) or
    "busy" (another live job holds it). Raises only unexpected errors (after failing the run on the
    last attempt), so RQ's retry resumes from the cursor. `options`: the app config's when not given.
    `then_orders` (the sync job, the CLI): a whole full run queues the orders run that follows it."""
    if options is None:
        options = SyncOptions.from_config(current_app.config)
    me = lifecycle.worker_id()
    claimed = lifecycle.claim(run_id, me)
    if claimed is None:
        run = db.session.get(SyncRun, run_id)
        return "busy" if run is not None and run.status == "in_progress" else (run.status if run else "gone")
    run, integration = claimed
    ctx = _context(run, integration, me)
    try:
        client = shopify_client(integration, **options.client_options)
        if ctx.kind == "orders":
            _sync_orders(ctx, client, options, on_progress)
            lifecycle.finish(ctx, soft_delete=False)
        else:
            outcome = _sync_products(ctx, client, options, on_progress)
            if outcome == "waiting":
                return "waiting"
            whole = ctx.cursor.get("query") is None
            # A full sync brings the orders too: its orders run is queued as this one finishes.
            run = lifecycle.finish(
                ctx, soft_delete=whole, then_orders=then_orders and whole and ctx.kind == "full"
            )
            if whole:
                _sync_collections(ctx, client)
                if "locations" not in (ctx.cursor.get("exports") or {}):  # a bulk run exported them
                    _sync_locations(ctx, client)
            else:
                _read_changed_levels(ctx)
            _after_catalog_sync(ctx)
        return "succeeded"
    except NeedsReauth as exc:
        lifecycle.fail(run_id, exc.merchant_message, detail=str(exc))
        return "failed"
    except PlatformError as exc:
        lifecycle.fail(run_id, exc.merchant_message, detail=f"{type(exc).__name__}: {exc}")
        return "failed"
    except Exception as exc:
        db.session.rollback()
        if _last_attempt():
            lifecycle.fail(run_id, lifecycle.GENERIC_FAILURE, detail=f"{type(exc).__name__}: {exc}")
        else:
            log.warning("sync run %s: %s; RQ will retry from the cursor", run_id, exc)
        raise


def _last_attempt() -> bool:
    job = get_current_job()
    return job is None or not job.retries_left


def _context(run: SyncRun, integration: Integration, me: str) -> RunContext:
    cursor = integration.sync_cursor or {}
    if cursor.get("kind") != run.kind:  # nothing to resume (or another kind's leftovers): start over
        cursor = {"kind": run.kind, "started_at": utcnow().isoformat(), "after": None,
                  "query": _filter_for(run.kind, integration)}  # fmt: skip
    cursor["run_id"] = run.id
    return RunContext(
        run_id=run.id, integration_id=integration.id, workspace_id=integration.workspace_id, kind=run.kind,
        currency=(integration.config or {}).get("currency"), cursor=cursor, worker_id=me, total=run.total,
    )  # fmt: skip


def _filter_for(kind: str, integration: Integration) -> str | None:
    since = integration.last_sync_at
    if kind == "orders":
        since = parse_time((integration.config or {}).get("orders_synced_at"))
    elif kind != "incremental":
        return None
    if since is None:
        return None  # never synced: an incremental run fetches everything (but deletes nothing)
    moment = (since - INCREMENTAL_OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"updated_at:>'{moment}'"


def _count(client: ShopifyClient, document: str, root: str, query: str | None) -> int | None:
    data = client.execute(document, {"query": query}).get(root) or {}
    return data.get("count")


def _sync_products(ctx: RunContext, client: ShopifyClient, options: SyncOptions, on_progress) -> str:
    resuming = ctx.cursor.get("after") is not None or ctx.cursor.get("exports") is not None
    if ctx.total is None or not resuming:
        ctx.total = _count(client, queries.PRODUCTS_COUNT_QUERY, "productsCount", ctx.cursor.get("query"))
        lifecycle.save_progress(ctx, total=ctx.total)
    big = ctx.kind == "full" and not resuming and (ctx.total or 0) > current_app.config["SYNC_BULK_THRESHOLD"]
    if ctx.kind == "bulk" or ctx.cursor.get("mode") == "bulk" or big:
        return bulk.sync_bulk(ctx, client, on_progress, concurrency=options.bulk_concurrency)
    shape = VariantsShape(client, options.variants_first, page_size=options.page_size)
    pages = client.iter_product_pages(
        query=ctx.cursor.get("query"), after=ctx.cursor.get("after"), page_size=options.page_size,
        variants_first=shape.first, media_first=MEDIA_FIRST, tune=shape.variables,
    )  # fmt: skip
    # Mapped in the fetch thread too: this thread's Python time is what the writes wait on, while the
    # fetch thread's runs whenever this one waits for Postgres.
    mapped = (
        (page, [product_from_graphql(n) for n in page.nodes])
        for page in _complete_variants(client, pages, shape)
    )
    for number, (page, records) in enumerate(prefetched(mapped), start=1):
        write_product_batch(ctx, records, after=page.end_cursor)
        if options.after_page_commit is not None:
            options.after_page_commit(ctx, number)
        if on_progress is not None:
            on_progress(len(page.nodes), ctx.total)
    return "done"


class VariantsShape:
    """How many variants a products page asks for per product, learnt from the catalog as pages arrive.

    Asking for more variants makes pages smaller (the cost cap); asking for fewer costs one extra request
    per product that has more. After each page, the nested size becomes the one that would have needed the
    fewest requests per product for the variant counts just seen: a catalog of 3-variant products keeps
    49-product pages, one of 12-variant products moves to 25 variants and 11-product pages.
    """

    def __init__(self, client: ShopifyClient, first: int | None = None, *, page_size: int | None = None):
        self.client = client
        self.first = first or VARIANTS_FIRST
        self.page_size = page_size

    def variables(self) -> dict:
        return {"variantsFirst": self.first}

    def learn(self, variant_counts: list[int]) -> None:
        if not variant_counts:
            return

        def requests_per_product(first: int) -> float:
            overflow = sum(count > first for count in variant_counts) / len(variant_counts)
            return 1 / self.client.product_page_size(first, MEDIA_FIRST, self.page_size) + overflow

        self.first = min((self.first, *VARIANTS_FIRST_CHOICES), key=requests_per_product)


def _complete_variants(client: ShopifyClient, pages: Iterator[Page], shape: VariantsShape) -> Iterator[Page]:
    """Fetch the remaining variants of products whose page held only the first few, then tune the shape."""
    for page in pages:
        for node in page.nodes:
            if ((node.get("variants") or {}).get("pageInfo") or {}).get("hasNextPage"):
                node["variants"] = {"nodes": list(connections.all_variants(client, node["id"]))}
            connections.complete_product_media(client, node)
        shape.learn([len((node.get("variants") or {}).get("nodes") or []) for node in page.nodes])
        yield page


def prefetched(items: Iterator) -> Iterator:
    """Yield from `items`, computing the next one in a helper thread (with the app context) meanwhile."""
    app = current_app._get_current_object()
    done = object()

    def pull():
        with app.app_context():
            try:
                return next(items)
            except StopIteration:
                return done

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch") as pool:
        future = pool.submit(pull)
        while True:
            item = future.result()
            if item is done:
                return
            future = pool.submit(pull)
            yield item


def _sync_orders(ctx: RunContext, client: ShopifyClient, options: SyncOptions, on_progress) -> None:
    if ctx.total is None or ctx.cursor.get("after") is None:
        ctx.total = _count(client, queries.ORDERS_COUNT_QUERY, "ordersCount", ctx.cursor.get("query"))
        lifecycle.save_progress(ctx, total=ctx.total)
    pages = client.iter_order_pages(
        query=ctx.cursor.get("query"), after=ctx.cursor.get("after"), line_items_first=LINE_ITEMS_FIRST,
        fulfillments_first=connections.FULFILLMENTS_FIRST, refunds_first=connections.REFUNDS_FIRST,
    )  # fmt: skip
    # Completed in the fetch thread, like the variants of a products page.
    pages = (_complete_orders(client, page) for page in pages)
    for number, page in enumerate(prefetched(pages), start=1):
        outcome = upsert_orders(
            ctx.workspace_id, [order_from_graphql(n) for n in page.nodes],
            integration_id=ctx.integration_id, sync_run_id=ctx.run_id,
        )  # fmt: skip
        ctx.cursor["after"] = page.end_cursor
        lifecycle.save_progress(
            ctx, processed=len(page.nodes), created=len(outcome["created"]), updated=len(outcome["updated"]),
            skipped=len(outcome["skipped"]),
        )  # fmt: skip
        if options.after_page_commit is not None:
            options.after_page_commit(ctx, number)
        if on_progress is not None:
            on_progress(len(page.nodes), ctx.total)


def _sync_collections(ctx: RunContext, client: ShopifyClient) -> None:
    """After a whole catalog: its collections. The run has succeeded; a failure here is logged, and the next
    full sync reads them again."""
    try:
        sync_collections(client, ctx.workspace_id, ctx.integration_id)
    except PlatformError as exc:
        db.session.rollback()
        log.warning("sync run %s: collections not read: %s", ctx.run_id, exc)


def _sync_locations(ctx: RunContext, client: ShopifyClient) -> None:
    """After a whole catalog: every location and every variant's stock at each (the variants must exist to
    be matched). A failure here is logged; the next full sync reads them again."""
    try:
        sync_locations(client, ctx.workspace_id, ctx.integration_id)
    except PlatformError as exc:
        db.session.rollback()
        log.warning("sync run %s: locations not read: %s", ctx.run_id, exc)


def _read_changed_levels(ctx: RunContext) -> None:
    """After an incremental run: the products it read carry Shopify's all-locations total only, so their
    levels at each location are read (batched, `app.sync.item_levels`) instead of waiting for a full sync."""
    items = db.session.scalars(
        select(ProductVariant.inventory_item_id)
        .join(Product, Product.id == ProductVariant.product_id)
        .where(Product.integration_id == ctx.integration_id, Product.seen_at >= ctx.started_at,
               ProductVariant.inventory_item_id.is_not(None))
    ).all()  # fmt: skip
    db.session.rollback()
    note_new_levels(ctx.integration_id, sorted(set(items)))


def _complete_orders(client: ShopifyClient, page: Page) -> Page:
    for node in page.nodes:
        connections.complete_order(client, node)
    return page


def _after_catalog_sync(ctx: RunContext) -> None:
    """Hand the run's changed products to the Facebook catalog push, when a catalog is connected."""
    if not ctx.changed:
        return
    try:
        enqueue_facebook_push(ctx.workspace_id, run_id=ctx.run_id)
    except Exception:  # the sync itself succeeded; a push that could not be queued is retried next sync
        log.exception("sync run %s: could not enqueue the Facebook catalog push", ctx.run_id)
