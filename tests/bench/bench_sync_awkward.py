"""The sync benchmark on the demo store's awkward catalog (called by `bench_sync.py`, `--only awkward`).

1. Paged sync / fetch-only, in rounds: the fetch is everything a full paged sync reads (the count, products
   pages with the rest of long variant lists and media read by id, collections, locations with their levels),
   parsed but not written; the sync is a full run into a new workspace.
2. The bulk exports of products and of orders, started together vs one after the other (from the first
   `bulkOperationRunQuery` until both are COMPLETED, polled every 20 ms), alternated in rounds; and a whole
   bulk sync (products, variants' images, locations, orders, imported) at concurrency 5 vs 1. The demo store
   runs each operation in a forked process (`bulk_mode="process"`), as Shopify runs them side by side.
"""

from __future__ import annotations

import os
import time

from tests.bench.bench_sync import SHOP, TOKEN, demo_store, make_app, new_integration, timed_sync


def _client(app):
    from app.platforms.shopify.client import ShopifyClient

    return ShopifyClient(SHOP, TOKEN, api_version=app.config["SHOPIFY_API_VERSION"],
                         base_url_template=app.config["SHOPIFY_API_BASE"])  # fmt: skip


def fetch_like_a_paged_sync(client) -> int:
    """Read what a full paged sync reads, write nothing; returns the products read."""
    from app.platforms.shopify import queries
    from app.sync import collections, locations, runner
    from app.sync.connections import more_after, read_rest

    client.execute(queries.PRODUCTS_COUNT_QUERY, {"query": None})
    shape = runner.VariantsShape(client)
    pages = client.iter_product_pages(variants_first=shape.first, media_first=runner.MEDIA_FIRST,
                                      tune=shape.variables)  # fmt: skip
    products = sum(len(page.nodes) for page in runner._complete_variants(client, pages, shape))
    for kind in collections.KINDS:
        after = None
        while True:
            variables = {"first": collections.COLLECTIONS_FIRST, "after": after,
                         "query": f"collection_type:{kind}", "productsFirst": collections.PRODUCTS_FIRST}  # fmt: skip
            connection = client.execute(queries.COLLECTIONS_PAGE_QUERY, variables).get("collections") or {}
            for node in connection.get("nodes") or []:
                if more_after(node.get("products")):
                    list(read_rest(client, queries.COLLECTION_PRODUCTS_PAGE_QUERY, "collection", "products",
                                   node["id"], more_after(node["products"])))  # fmt: skip
            after = more_after(connection)
            if not after:
                break
    after = None
    while True:
        variables = {
            "first": locations.LOCATIONS_FIRST,
            "after": after,
            "levelsFirst": locations.LEVELS_FIRST,
        }
        connection = client.execute(queries.LOCATIONS_PAGE_QUERY, variables).get("locations") or {}
        for node in connection.get("nodes") or []:
            if more_after(node.get("inventoryLevels")):
                list(read_rest(client, queries.LOCATION_LEVELS_PAGE_QUERY, "location", "inventoryLevels",
                               node["id"], more_after(node["inventoryLevels"])))  # fmt: skip
        after = more_after(connection)
        if not after:
            break
    return products


def _export(client, kinds: tuple[str, ...], together: bool) -> float:
    def wait(ids: list[str]) -> None:
        pending = set(ids)
        while pending:
            for operation_id in list(pending):
                status = client.get_bulk_operation(operation_id)["status"]
                if status == "COMPLETED":
                    pending.discard(operation_id)
                elif status not in ("CREATED", "RUNNING"):
                    raise SystemExit(f"bulk operation {operation_id} ended {status}")
            if pending:
                time.sleep(0.02)

    started = time.perf_counter()
    if together:
        wait([client.run_bulk_query(kind)["id"] for kind in kinds])
    else:
        for kind in kinds:
            wait([client.run_bulk_query(kind)["id"]])
    return time.perf_counter() - started


def bench_awkward(products: int, orders: int, rounds: int) -> list[tuple]:
    url, proc = demo_store(products, catalog="awkward", orders=orders, bulk_mode="process")
    app = make_app(url, reset=True)
    app.config["SYNC_BULK_THRESHOLD"] = 10**9  # the paged path for the ratio
    load = [os.getloadavg()[0]]
    measured = []
    exports = []
    bulk_runs = []
    with app.app_context():
        client = _client(app)
        count = fetch_like_a_paged_sync(client)  # warm-up: the cost schema, the demo store's pages
        for number in range(rounds):
            started = time.perf_counter()
            fetch_like_a_paged_sync(client)
            fetch = time.perf_counter() - started
            sync_time, run = timed_sync(new_integration(f"awkward-{number}"), "full")
            assert run.status == "succeeded" and run.created == count, (run.status, run.error, run.created)
            measured.append((fetch, sync_time))
        for _ in range(rounds):
            exports.append((_export(client, ("products", "orders"), True),
                            _export(client, ("products", "orders"), False)))  # fmt: skip
        for number in range(max(1, rounds // 2)):
            times = []
            for concurrency in (5, 1):
                app.config["SYNC_BULK_CONCURRENCY"] = concurrency
                elapsed, run = timed_sync(new_integration(f"awkward-bulk-{concurrency}-{number}"), "bulk")
                assert run.status == "succeeded" and run.created == count, (run.status, run.error)
                times.append(elapsed)
            bulk_runs.append(tuple(times))
        load.append(os.getloadavg()[0])
    proc.kill()
    ratios = sorted(s / f for f, s in measured)
    export_ratios = sorted(c / s for c, s in exports)
    median = len(ratios) // 2
    return [
        (
            f"awkward catalog: {count:,} products, {orders:,} orders",
            f"load {load[0]:.1f} -> {load[1]:.1f}",
            "",
        ),
        *(
            (f"  round {i}: fetch / paged sync", f"{f:.2f} / {s:.2f} s", f"ratio {s / f:.2f}")
            for i, (f, s) in enumerate(measured, start=1)
        ),
        ("  ratio paged sync / fetch (median)", f"{ratios[median]:.2f}", "target <= 1.5"),
        *(
            (
                f"  round {i}: export products+orders",
                f"{c:.2f} / {s:.2f} s",
                "concurrent / one after the other",
            )
            for i, (c, s) in enumerate(exports, start=1)
        ),
        ("  concurrent / sequential (median)", f"{export_ratios[len(exports) // 2]:.2f}", "target < 1"),
        *(
            (f"  whole bulk sync, round {i}", f"{c:.2f} / {s:.2f} s", "concurrency 5 / 1")
            for i, (c, s) in enumerate(bulk_runs, start=1)
        ),
    ]
