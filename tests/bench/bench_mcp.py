"""Benchmark: an MCP tool call over Streamable HTTP vs the same call in-process. Run on demand, prints a table.

    python tests/bench/bench_mcp.py                                   # a scratch SQLite file
    python tests/bench/bench_mcp.py --database-url postgresql://postgres@127.0.0.1:5432/wagents_bench

The database's schema is DROPPED and rebuilt by the migrations (use a scratch database). One workspace of
`--products` products; the MCP server runs in a thread of this process (uvicorn on a loopback port), as the
tests run it. Measured, each `--calls` times: `check_availability` through `agent_tools.call()` (the floor:
no protocol, no token check, no call record), then through the SDK client over HTTP one call at a time, then
from `--clients` clients at once. The ratios are to the floor measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=f"sqlite:///{tempfile.mkdtemp()}/bench_mcp.db")
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--port", type=int, default=5560)
    args = parser.parse_args()

    import uvicorn
    from flask_migrate import upgrade
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client
    from sqlalchemy import text

    import agent_tools
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.mcp.http import asgi_app
    from app.models import Product, ProductVariant
    from app.services import accounts

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = args.database_url
        MCP_RATE_LIMIT = "1000000 per minute"

    app = create_app(Config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        user = accounts.create_user("bench@example.com", "correct horse battery", "Bench")
        for n in range(args.products):
            product = Product(workspace_id=user.workspace_id, title=f"Bench product {n}", currency="EUR",
                              price_min=Decimal("9.99"), price_max=Decimal("9.99"), platform_sync={}, images=[])  # fmt: skip
            product.variants.append(ProductVariant(workspace_id=user.workspace_id, sku=f"B-{n}", price=Decimal("9.99"),
                                                   inventory_quantity=1000))  # fmt: skip
            db.session.add(product)
        db.session.commit()
        variant_ids = [v.id for v in db.session.query(ProductVariant.id)]
        workspace_id = user.workspace_id
        token = accounts.create_api_token(user, "bench")[1]

    def arguments(i):
        return {"variant_id": variant_ids[i % len(variant_ids)], "sku": None, "quantity": None}

    with app.app_context():
        ctx = agent_tools.ToolContext(workspace_id)
        started = time.perf_counter()
        for i in range(args.calls):
            agent_tools.call("check_availability", arguments(i), ctx)
        direct = time.perf_counter() - started

    server = uvicorn.Server(
        uvicorn.Config(asgi_app(app), host="127.0.0.1", port=args.port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    url = f"http://127.0.0.1:{args.port}/mcp"

    async def session(calls: list[int], latencies: list[float]):
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            create_mcp_http_client(headers=headers) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            for i in calls:
                t0 = time.perf_counter()
                result = await client.call_tool("check_availability", arguments(i))
                latencies.append(time.perf_counter() - t0)
                assert not result.is_error, result

    sequential: list[float] = []
    started = time.perf_counter()
    asyncio.run(session(list(range(args.calls)), sequential))
    over_http = time.perf_counter() - started

    parallel: list[float] = []

    async def many():
        share = [list(range(c, args.calls, args.clients)) for c in range(args.clients)]
        await asyncio.gather(*(session(s, parallel) for s in share))

    started = time.perf_counter()
    asyncio.run(many())
    concurrent = time.perf_counter() - started
    server.should_exit = True

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    print(f"{args.database_url.split(':')[0]}, {args.products} products, {args.calls} calls")
    print(f"{'path':<34}{'calls/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'vs floor':>10}")
    print(f"{'agent_tools.call() in-process':<34}{args.calls / direct:>10.0f}{'':>9}{'':>9}{1.0:>10.1f}")
    print(f"{'MCP over HTTP, 1 client':<34}{args.calls / over_http:>10.0f}{p(sequential, 50):>9.1f}"
          f"{p(sequential, 95):>9.1f}{over_http / direct:>10.1f}")  # fmt: skip
    print(f"{f'MCP over HTTP, {args.clients} clients':<34}{args.calls / concurrent:>10.0f}{p(parallel, 50):>9.1f}"
          f"{p(parallel, 95):>9.1f}{concurrent / direct:>10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
