"""Benchmark: streaming the ACP product feed (`GET /api/feeds/acp`) over 100,000 products. Run on demand.

    python tests/bench/bench_feed.py --database-url postgresql://postgres@127.0.0.1:5432/wagents_feed_bench
    python tests/bench/bench_feed.py --database-url sqlite:////tmp/bench_feed.db --products 20000

The database's schema is DROPPED and rebuilt by the migrations (use a scratch database; `--reuse` keeps what
a previous run built). One workspace gets N active products (one image each, `--variants` variants each, 1 %
of the variants with an active reservation) by set-based inserts, and a second workspace the same noise.
Each form of the feed is then read in a child process of its own through the Flask test client, unbuffered,
counting lines without keeping them: rows/s and the child's peak RSS (`ru_maxrss`). The floor, measured in
the same run: a child that only builds the app and reads one page of the API (its RSS), and a bare keyset
scan of the same variant rows (its rows/s). "peak RSS" is `ru_maxrss` (it includes the app's start-up,
whatever the request does); "streaming" is the highest RSS sampled while the rows stream, and "over floor"
its growth over the floor's RSS after its one request. Target: < 150 MB at 100,000 products.

The seeding runs in a child process of its own too, so this parent never imports the app and stays small:
Linux carries `ru_maxrss` across `execve`, and Python's `subprocess` starts children with `vfork`, so a
child's `ru_maxrss` starts at its parent's peak. Each child also reports `VmHWM` (the high-water mark of its
own address space, fresh at exec) and the run stops if the two disagree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FORMS = {
    "jsonl": ("", {}),
    "jsonl+gzip": ("", {"Accept-Encoding": "gzip"}),
    "csv": ("?format=csv", {}),
    "products": ("?shape=products", {}),
}
CHUNK = 10_000


def _app(url: str):
    from app import create_app
    from app.config import TestConfig, _database_url

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(url)

    return create_app(BenchConfig)


def _build(n: int, variants: int) -> str:
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from app.extensions import db
    from app.models import Product, ProductMedia, ProductVariant, Reservation
    from app.models.types import utcnow
    from app.services import accounts

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(directory=str(ROOT / "migrations"))
    user = accounts.create_user("bench@example.com", "bench password", "Bench shop")
    noise = accounts.create_user("noise@example.com", "bench password", "Noise shop")
    _, token = accounts.create_api_token(user, "bench")
    now = utcnow()
    expires = now.replace(year=now.year + 1)
    product_id = variant_id = 0
    for ws in (user.workspace_id, noise.workspace_id):
        for start in range(0, n, CHUNK):
            rows = range(start, min(n, start + CHUNK))
            first = product_id + 1
            products = [{"id": first + k, "workspace_id": ws, "title": f"Linen shirt {i} – ünïcode", "handle": f"shirt-{i}",
                         "description_html": f"<p>Shirt <b>{i}</b> &amp; more</p>", "vendor": "Casa Nova",
                         "product_type": "Shirts", "status": "active", "tags": "linen, summer", "currency": "EUR",
                         "price_min": 19.9, "price_max": 19.9, "images": [], "platform_sync": {},
                         "created_at": now, "updated_at": now} for k, i in enumerate(rows)]  # fmt: skip
            product_id += len(products)
            db.session.execute(insert(Product), products)
            db.session.execute(insert(ProductMedia), [{"workspace_id": ws, "product_id": p["id"], "position": 1,
                               "media_type": "IMAGE", "url": f"https://cdn.example.com/{p['id']}.jpg", "alt": "front"}
                              for p in products])  # fmt: skip
            variant_rows = []
            for p in products:
                for v in range(variants):
                    variant_id += 1
                    variant_rows.append({"id": variant_id, "workspace_id": ws, "product_id": p["id"],
                                         "sku": f"SKU-{p['id']}-{v}", "title": f"Size {v}", "position": v + 1,
                                         "price": 19.9, "inventory_quantity": (variant_id % 7), "created_at": now,
                                         "updated_at": now,
                                         "option_values": [{"name": "Size", "value": str(v)}]})  # fmt: skip
            db.session.execute(insert(ProductVariant), variant_rows)
            db.session.execute(insert(Reservation), [{"workspace_id": ws, "variant_id": r["id"], "quantity": 1,
                               "status": "active", "expires_at": expires, "created_at": now, "updated_at": now}
                              for r in variant_rows[::100]])  # fmt: skip
            db.session.commit()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("product", "product_variant", "product_media", "reservation"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    )
                )
            conn.execute(text("ANALYZE"))
    return token


def _rss_mb() -> float:
    """The process's peak RSS so far (`ru_maxrss`), in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_mb() -> float:
    """The process's RSS now, in MB (Linux `/proc/self/statm`)."""
    import os

    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _hwm_mb() -> float:
    """The peak RSS of this process's own address space (`VmHWM` in `/proc/self/status`), in MB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _child(url: str, token: str, form: str) -> dict:
    got = _measure(url, token, form)
    return {**got, "hwm_mb": _hwm_mb()}


def _measure(url: str, token: str, form: str) -> dict:
    app = _app(url)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    if form == "floor":
        with app.app_context():
            assert client.get("/api/products?limit=1", headers=headers).status_code == 200
        return {"rows": 0, "seconds": 0.0, "rss_mb": _rss_mb(), "now_mb": _current_mb()}
    if form == "scan":
        from sqlalchemy import select, tuple_

        from app.extensions import db
        from app.models import ProductVariant as V

        with app.app_context():
            started, rows, after = time.perf_counter(), 0, None
            while True:
                stmt = select(V.product_id, V.position, V.id, V.price, V.inventory_quantity).order_by(
                    V.product_id, V.position, V.id).where(V.workspace_id == 1).limit(1000)  # fmt: skip
                if after is not None:
                    stmt = stmt.where(tuple_(V.product_id, V.position, V.id) > after)
                batch = db.session.execute(stmt).all()
                rows += len(batch)
                if len(batch) < 1000:
                    break
                after = tuple(batch[-1][:3])
            return {
                "rows": rows,
                "seconds": time.perf_counter() - started,
                "rss_mb": _rss_mb(),
                "now_mb": _current_mb(),
            }
    query, extra = FORMS[form]
    started = time.perf_counter()
    response = client.get(f"/api/feeds/acp{query}", headers={**headers, **extra}, buffered=False)
    assert response.status_code == 200, response.status_code
    inflate = zlib.decompressobj(31) if "gzip" in form else None
    lines = 0
    highest = _current_mb()
    for chunks, chunk in enumerate(response.response, 1):
        lines += (inflate.decompress(chunk) if inflate else chunk).count(b"\n")
        if chunks % 20 == 0:
            highest = max(highest, _current_mb())
    response.close()
    rows = lines - (1 if form == "csv" else 0)
    return {"rows": rows, "seconds": time.perf_counter() - started, "rss_mb": _rss_mb(),
            "now_mb": max(highest, _current_mb())}  # fmt: skip


def _run_child(url: str, token: str, form: str, *extra: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", form, "--database-url", url, "--token", token,
                          *extra], capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    if out.returncode:
        sys.exit(f"{form} child failed:\n{out.stderr}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if "rss_mb" in got and abs(got["rss_mb"] - got["hwm_mb"]) > 2:
        sys.exit(
            f"{form}: ru_maxrss {got['rss_mb']:.0f} MB but VmHWM {got['hwm_mb']:.0f} MB: inherited peak?"
        )
    return got


def _seed(url: str, n: int, variants: int) -> dict:
    app = _app(url)
    with app.app_context():
        started = time.perf_counter()
        token = _build(n, variants)
        return {"token": token, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep the data a previous run built")
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "seed":
        print(json.dumps(_seed(args.database_url, args.products, args.variants)))
        return
    if args.child:
        print(json.dumps(_child(args.database_url, args.token, args.child)))
        return
    token_file = Path("/tmp") / f"bench_feed_token_{zlib.crc32(args.database_url.encode())}"
    if args.reuse and token_file.exists():
        token = token_file.read_text()
    else:
        seeded = _run_child(args.database_url, "", "seed", "--products", str(args.products),
                            "--variants", str(args.variants))  # fmt: skip
        token = seeded["token"]
        print(f"seeded {args.products:,} products x {args.variants} variants (x2 workspaces) "
              f"in {seeded['seconds']:.1f}s")  # fmt: skip
        token_file.write_text(token)
    floor = _run_child(args.database_url, token, "floor")
    scan = _run_child(args.database_url, token, "scan")
    print(f"\n{'form':<12} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'vs scan':>8} {'peak RSS':>9} "
          f"{'streaming':>10} {'over floor':>10}")  # fmt: skip
    print(
        f"{'floor':<12} {'':>9} {'':>8} {'':>9} {'':>8} {floor['rss_mb']:>7.0f}MB {floor['now_mb']:>8.0f}MB"
    )
    scan_rate = scan["rows"] / scan["seconds"]
    print(f"{'bare scan':<12} {scan['rows']:>9,} {scan['seconds']:>8.2f} {scan_rate:>9,.0f} {'1.0x':>8} "
          f"{scan['rss_mb']:>7.0f}MB {scan['now_mb']:>8.0f}MB {scan['now_mb'] - floor['now_mb']:>8.0f}MB")  # fmt: skip
    for form in FORMS:
        got = _run_child(args.database_url, token, form)
        rate = got["rows"] / got["seconds"]
        print(f"{form:<12} {got['rows']:>9,} {got['seconds']:>8.2f} {rate:>9,.0f} {scan_rate / rate:>7.1f}x "
              f"{got['rss_mb']:>7.0f}MB {got['now_mb']:>8.0f}MB {got['now_mb'] - floor['now_mb']:>8.0f}MB")  # fmt: skip


if __name__ == "__main__":
    main()
