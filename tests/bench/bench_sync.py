"""Sync benchmarks (run on demand, not in the unit suite): `python tests/bench/bench_sync.py [--quick]`.

The demo store runs in its own process (so its GraphQL execution does not share our GIL) and the app syncs
into Postgres (`BENCH_DATABASE_URL`, default the scratch database below; its schema is rebuilt). Prints:
1. full paged sync of N products x 3 variants, throttle off, in rounds after a warm-up fetch (fetch alone,
   then sync into a new workspace): each round's ratio, the median ratio, best products/s, and the write path alone (the same
   records upserted again into an empty workspace);
2. peak RSS of a child process syncing 100,000 products (bulk path, chosen automatically above the threshold);
3. a Standard plan (bucket 2,000, 100 points/s): points used vs restore x duration + bucket for a paged sync,
   and paged vs bulk time for the same catalog;
4. the awkward catalog (`bench_sync_awkward.py`): paged sync / fetch-only, and the bulk exports of products
   and orders run concurrently vs one after the other.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/wagents_sync_bench")
SHOP = "bench.myshopify.com"
TOKEN = "shpat_bench"


def _serve(products: int, throttled: bool, queue, catalog: str = "uniform", orders: int | None = None,
           bulk_mode: str = "thread") -> None:  # fmt: skip
    import logging

    logging.disable(logging.INFO)
    import tempfile

    from app.demo_store import DemoStore
    from app.demo_store.testing import run_in_thread

    store = DemoStore(tempfile.mktemp(suffix=".sqlite3"), throttle_off=not throttled, bulk_mode=bulk_mode,
                      default_products=products, webhook_async=True)  # fmt: skip
    store.seed_shop(SHOP, products=products, orders=orders, catalog=catalog)
    store.add_custom_token(SHOP, TOKEN)
    if throttled:
        store.throttle.configure(SHOP, maximum=2000, rate=100)
    url, _stop = run_in_thread(store)
    store.public_url = url
    queue.put(url)
    while True:
        time.sleep(3600)


def demo_store(products: int, throttled: bool = False, **shop):
    queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_serve, args=(products, throttled, queue), kwargs=shop,
                                           daemon=True)  # fmt: skip
    proc.start()
    return queue.get(timeout=120), proc


def make_app(base_url: str, reset: bool):
    from app import create_app
    from app.config import TestConfig, _database_url

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(DB_URL)
        SHOPIFY_API_BASE = f"{base_url}/demo-store/{{shop}}"
        REDIS_URL = None
        SYNC_BULK_THRESHOLD = 5000

    app = create_app(BenchConfig)
    if reset:
        with app.app_context():
            from flask_migrate import upgrade
            from sqlalchemy import text

            from app.extensions import db

            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
    return app


def new_integration(name: str):
    from app.extensions import db
    from app.models import Integration
    from app.services import accounts

    user = accounts.create_user(f"{name}-{time.time_ns()}@bench.test", "bench-password-123", name)
    row = Integration(workspace_id=user.workspace_id, platform="shopify", account_id=SHOP, status="connected",
                      config={"currency": "USD"})  # fmt: skip
    row.set_secrets(access_token=TOKEN)
    db.session.add(row)
    db.session.commit()
    return row


def timed_sync(integration, kind: str) -> tuple[float, object]:
    from app.extensions import db
    from app.models import SyncRun
    from app.sync import runner, service

    run = service.start_sync(integration, kind, enqueue_job=False)
    started = time.perf_counter()
    status = runner.execute_run(run.id)
    while status == "waiting":
        time.sleep(0.2)
        status = runner.execute_run(run.id)
    elapsed = time.perf_counter() - started
    return elapsed, db.session.get(SyncRun, run.id, populate_existing=True)


def bench_paged(products: int, rounds: int = 5) -> list[tuple]:
    """After a warm-up fetch, `rounds` times: fetch the catalog alone, then sync it into a new workspace.

    The ratio of each round compares two runs a few seconds apart, so a slower spell of a shared machine
    weighs on both sides of it; the median round's ratio is the figure, the best times give products/s.
    """
    from app.extensions import db
    from app.platforms.shopify.client import ShopifyClient
    from app.sync import runner
    from app.sync.catalog_writer import upsert_products
    from app.sync.mapping import product_from_graphql

    url, proc = demo_store(products)
    app = make_app(url, reset=True)
    app.config["SYNC_BULK_THRESHOLD"] = 10**9  # measure the paged path
    measured = []
    with app.app_context():
        client = ShopifyClient(SHOP, TOKEN, api_version=app.config["SHOPIFY_API_VERSION"],
                               base_url_template=app.config["SHOPIFY_API_BASE"])  # fmt: skip
        # Untimed warm-up: the first pass builds the client's cost schema (once per process, ~1 s) and has the
        # demo store build its pages; every timed round then compares warm with warm.
        for _ in client.iter_product_pages(
            variants_first=runner.VARIANTS_FIRST, media_first=runner.MEDIA_FIRST
        ):
            pass
        for number in range(rounds):
            started = time.perf_counter()
            pages = [p.nodes for p in client.iter_product_pages(variants_first=runner.VARIANTS_FIRST,
                                                                media_first=runner.MEDIA_FIRST)]  # fmt: skip
            fetch = time.perf_counter() - started
            sync_time, run = timed_sync(new_integration(f"paged-{number}"), "full")
            assert run.status == "succeeded" and run.created == products, (run.status, run.error, run.created)
            measured.append((fetch, sync_time))
        workspace_id = new_integration("writes").workspace_id  # read once: a commit expires the row
        records = [[product_from_graphql(n) for n in page] for page in pages]
        started = time.perf_counter()
        for batch in records:
            upsert_products(workspace_id, batch, currency="USD")
            db.session.commit()
        writes = time.perf_counter() - started
    proc.kill()
    ratios = sorted(sync_time / fetch for fetch, sync_time in measured)
    fetch = min(f for f, _ in measured)
    sync_time = min(s for _, s in measured)
    return [
        ("paged sync, throttle off", f"{products:,} x 3 variants", f"{rounds} rounds of fetch, then sync"),
        *(
            (f"  round {i}: fetch / sync", f"{f:.2f} / {s:.2f} s", f"ratio {s / f:.2f}")
            for i, (f, s) in enumerate(measured, start=1)
        ),
        ("  fetch + parse only (best)", f"{fetch:.2f} s", f"{products / fetch:,.0f} products/s"),
        ("  full sync into Postgres (best)", f"{sync_time:.2f} s", f"{products / sync_time:,.0f} products/s"),
        ("  ratio sync / fetch (median)", f"{ratios[len(ratios) // 2]:.2f}", "target <= 1.5"),
        ("  write path alone (upsert+log)", f"{writes:.2f} s", f"{products / writes:,.0f} products/s"),
    ]


def child_rss(products: int, url: str) -> None:
    """In a fresh process: sync `products` (bulk path above the threshold) and print peak RSS in MB."""
    app = make_app(url, reset=True)
    with app.app_context():
        elapsed, run = timed_sync(new_integration("rss"), "full")
        assert run.status == "succeeded", run.error
        # `VmHWM`, this address space's own high-water mark: `ru_maxrss` survives `execve`, and a child that
        # `subprocess` started with `vfork` would report the parent's peak (the other benches run first).
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
        print(f"RSS {peak:.0f} {elapsed:.1f} {run.created}")


def bench_rss(products: int) -> list[tuple]:
    url, proc = demo_store(products)
    out = subprocess.run([sys.executable, __file__, "--child-rss", str(products), url], capture_output=True,
                         text=True, check=False)  # fmt: skip
    proc.kill()
    line = next((x for x in out.stdout.splitlines() if x.startswith("RSS ")), None)
    if line is None:
        raise SystemExit(f"child failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    _, peak, elapsed, created = line.split()
    return [(f"peak RSS, {products:,} products (bulk)", f"{peak} MB", f"target < 250 MB; {created} rows in "
             f"{float(elapsed):.0f} s")]  # fmt: skip


class CostMeter:
    """Adds up `actualQueryCost` of every GraphQL answer (wraps the client's session)."""

    def __init__(self):
        import requests

        self.session = requests.Session()
        self.points = 0.0
        original = self.session.request

        def request(method, url, **kw):
            response = original(method, url, **kw)
            if url.endswith("graphql.json"):
                cost = ((response.json().get("extensions") or {}).get("cost") or {}).get("actualQueryCost")
                self.points += float(cost or 0)
            return response

        self.session.request = request


def bench_throttled(products: int) -> list[tuple]:
    url, proc = demo_store(products, throttled=True)
    app = make_app(url, reset=True)
    with app.app_context():
        meter = CostMeter()
        app.config["SYNC_CLIENT_OPTIONS"] = {"session": meter.session}  # read by the run's SyncOptions
        app.config["SYNC_BULK_THRESHOLD"] = 10**9  # force the paged path
        paged_time, paged = timed_sync(new_integration("throttled-paged"), "full")
        app.config["SYNC_CLIENT_OPTIONS"] = {}
        bulk_time, bulk = timed_sync(new_integration("throttled-bulk"), "bulk")
        assert paged.status == bulk.status == "succeeded", (paged.error, bulk.error)
    proc.kill()
    allowed = 100 * paged_time + 2000
    return [
        (f"Standard plan (2,000 / 100 per s), {products:,}", "", ""),
        (
            "  paged: points used",
            f"{meter.points:,.0f}",
            f"allowed {allowed:,.0f} = 100 x {paged_time:.1f} s + 2,000",
        ),
        ("  paged: budget use", f"{100 * meter.points / allowed:.1f} %", "target >= 90 %"),
        ("  paged sync time", f"{paged_time:.1f} s", f"{products / paged_time:,.1f} products/s"),
        ("  bulk sync time", f"{bulk_time:.1f} s", f"{products / bulk_time:,.1f} products/s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5, help="fetch-then-sync rounds of the paged bench")
    parser.add_argument("--rss-products", type=int, default=100_000)
    parser.add_argument("--throttled-products", type=int, default=10_000)
    parser.add_argument("--awkward-products", type=int, default=2_000)
    parser.add_argument("--awkward-orders", type=int, default=1_000)
    parser.add_argument("--only", choices=("paged", "rss", "throttled", "awkward"), default=None)
    parser.add_argument("--child-rss", nargs=2, metavar=("PRODUCTS", "URL"))
    args = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    if args.child_rss:
        child_rss(int(args.child_rss[0]), args.child_rss[1])
        return
    rows = []
    if args.only in (None, "paged"):
        rows += bench_paged(args.products, args.rounds)
    if args.only in (None, "rss"):
        rows += bench_rss(args.rss_products)
    if args.only in (None, "throttled"):
        rows += bench_throttled(args.throttled_products)
    if args.only in (None, "awkward"):
        from tests.bench.bench_sync_awkward import bench_awkward

        rows += bench_awkward(args.awkward_products, args.awkward_orders, args.rounds)
    width = max(len(r[0]) for r in rows) + 2
    print(f"\n{'measure':<{width}}{'value':>16}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}{value:>16}  {note}")


if __name__ == "__main__":
    main()
