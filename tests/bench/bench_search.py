"""Benchmark: product_search at 100,000 products vs a naive ILIKE scan. Run on demand, prints a table.

    python tests/bench/bench_search.py --database-url postgresql://postgres@127.0.0.1:5432/wagents_bench
    python tests/bench/bench_search.py --database-url sqlite:////tmp/bench.db

The database's schema is DROPPED and rebuilt by the migrations (use a scratch database), then filled with
one workspace of N generated products (one to three variants each, with SKUs and stock) plus a second
workspace of noise. Each query runs `--runs` times through `app.catalog.search.search` (the agent tool backend,
filters included) and through the naive `ILIKE '%term%'` scan it replaces; p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ADJECTIVES = [
    "classic",
    "slim",
    "vintage",
    "organic",
    "urban",
    "trail",
    "waterproof",
    "light",
    "heavy",
    "soft",
    "premium",
    "kids",
]
COLOURS = [
    "black",
    "white",
    "red",
    "blue",
    "green",
    "navy",
    "olive",
    "grey",
    "beige",
    "pink",
    "yellow",
    "brown",
]
MATERIALS = ["cotton", "leather", "wool", "linen", "denim", "canvas", "suede", "silk", "bamboo", "merino"]
NOUNS = ["shirt", "tshirt", "hoodie", "jacket", "sneaker", "boot", "sandal", "sock", "scarf", "beanie", "backpack", "wallet", "belt", "dress", "skirt", "jeans", "chino", "parka", "vest", "glove"]  # fmt: skip
TYPES = ["Tops", "Shoes", "Accessories", "Outerwear", "Bottoms", "Bags"]
VENDORS = ["Nordwear", "Casa", "Nova", "Atelier", "Lumen", "Fjell", "Oro", "Kobo", "Sunday", "Miro", "Tessa"]
QUERIES = [
    ("one common word", "shirt", {}),
    ("two words", "leather boot", {}),
    ("three words", "black merino hoodie", {}),
    ("prefix", "sneak", {}),
    ("typo", "leathr jakcet", {}),
    ("sku", "SKU-004217", {}),
    ("brand", "nordwear", {}),
    ("word + price", "jacket", {"price_max": 60}),
    ("word + in stock", "wool scarf", {"in_stock_only": True}),
    ("category browse", "", {"category": "Shoes"}),
    ("no match", "xylophone", {}),
]


def _build(app, products: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from app.extensions import db
    from app.models import Product, ProductCategory, ProductVariant, Workspace
    from app.models.types import utcnow

    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(directory=str(ROOT / "migrations"))
    rng = random.Random(7)
    now = utcnow()
    shop, noise = Workspace(name="Bench shop"), Workspace(name="Noise shop")
    db.session.add_all([shop, noise])
    db.session.flush()
    categories = {t: ProductCategory(workspace_id=shop.id, name=t, slug=t.lower()) for t in TYPES}
    db.session.add_all(categories.values())
    db.session.commit()
    started = time.perf_counter()
    for ws, count in ((shop.id, products), (noise.id, products // 10)):
        for start in range(0, count, 5000):
            rows, variants = [], []
            for i in range(start, min(count, start + 5000)):
                noun, kind = rng.choice(NOUNS), rng.choice(TYPES)
                title = f"{rng.choice(ADJECTIVES).title()} {rng.choice(COLOURS).title()} {rng.choice(MATERIALS).title()} {noun.title()}"
                price = rng.randrange(900, 25000) / 100
                rows.append({"workspace_id": ws, "title": title, "handle": f"p-{ws}-{i}", "vendor": rng.choice(VENDORS),
                             "product_type": kind, "tags": ", ".join(rng.sample(MATERIALS + COLOURS, 3)),
                             "status": "active", "price_min": price, "price_max": price, "currency": "EUR",
                             "category_id": categories[kind].id if ws == shop.id else None, "images": [],
                             "platform_sync": {}, "created_at": now, "updated_at": now})  # fmt: skip
            ids = db.session.execute(insert(Product).returning(Product.id), rows).scalars().all()
            for n, (pid, row) in enumerate(zip(ids, rows, strict=True)):
                for k in range(rng.randint(1, 3)):
                    variants.append({"workspace_id": ws, "product_id": pid, "sku": f"SKU-{start + n:06d}-{k}" if ws == shop.id else None,
                                     "title": f"Size {k}", "position": k + 1, "price": row["price_min"],
                                     "inventory_quantity": rng.choice([0, 0, 1, 3, 10]), "option_values": [],
                                     "created_at": now, "updated_at": now})  # fmt: skip
            db.session.execute(insert(ProductVariant), variants)
            db.session.commit()
    if engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: statistics, and GIN pending lists merged into the index.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print(f"built {products} + {products // 10} products in {time.perf_counter() - started:.1f}s", flush=True)
    return shop.id


def _naive(workspace_id: int, query: str, filters: dict, limit: int = 10) -> list:
    from sqlalchemy import and_, or_, select

    from app.extensions import db
    from app.models import Product

    criteria = [Product.workspace_id == workspace_id, Product.deleted_at.is_(None)]
    for word in query.split():
        pattern = f"%{word}%"
        criteria.append(or_(Product.title.ilike(pattern), Product.vendor.ilike(pattern),
                            Product.product_type.ilike(pattern), Product.tags.ilike(pattern)))  # fmt: skip
    if filters.get("price_max") is not None:
        criteria.append(Product.price_min <= filters["price_max"])
    if filters.get("category"):
        criteria.append(Product.product_type.ilike(filters["category"]))
    return db.session.scalars(select(Product.id).where(and_(*criteria)).limit(limit)).all()


def _time(fn, runs: int) -> tuple[float, float, int]:
    samples, found = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        found = len(fn())
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="Search the catalog a previous run built.")
    args = parser.parse_args()

    from app import create_app
    from app.config import TestConfig, _database_url

    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(args.database_url)

    app = create_app(Bench)
    with app.app_context():
        from app.catalog.search import Filters, search
        from app.extensions import db

        if args.reuse:
            from sqlalchemy import select

            from app.models import Workspace

            workspace_id = db.session.scalar(select(Workspace.id).where(Workspace.name == "Bench shop"))
        else:
            workspace_id = _build(app, args.products)
        print(f"\n{db.engine.dialect.name}, {args.products} products, {args.runs} runs per query (ms)\n")
        header = f"{'query':<18} {'text':<22} {'search p50':>10} {'p95':>7} {'hits':>5} {'ILIKE p50':>10} {'p95':>7} {'hits':>5}"
        print(header)
        print("-" * len(header))
        worst = 0.0
        for label, query, extra in QUERIES:
            filters = Filters(limit=10, **extra)
            p50, p95, hits = _time(lambda q=query, f=filters: search(workspace_id, q, f), args.runs)
            n50, n95, nhits = _time(
                lambda q=query, e=extra: _naive(workspace_id, q, e), max(5, args.runs // 5)
            )
            worst = max(worst, p95)
            print(
                f"{label:<18} {query[:22]:<22} {p50:>10.2f} {p95:>7.2f} {hits:>5} {n50:>10.2f} {n95:>7.2f} {nhits:>5}"
            )
        print(f"\nworst product_search p95: {worst:.2f} ms")


if __name__ == "__main__":
    main()
