"""Benchmark (on demand, not in the unit suite): server time of the list pages at 100,000 products.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/wagents_bench python tests/bench/bench_pages.py

Rebuilds the schema in that database (migrations), seeds 100,000 products (1-3 variants each, categories,
platform sync states, reservations) and 20,000 orders, then times the products list (first page, a search, a
filter, a deep keyset page) and the orders list through the WSGI app (no network), printing a table of median
and p95 milliseconds against the 50 ms target.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "100000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
TARGET_MS = 50
WORDS = (
    "linen",
    "cotton",
    "wool",
    "silk",
    "denim",
    "canvas",
    "leather",
    "suede",
    "velvet",
    "shirt",
    "coat",
    "tote",
    "dress",
    "scarf",
    "hat",
    "boot",
    "sneaker",
    "mug",
    "lamp",
    "chair",
    "table",
    "vase",
    "candle",
    "blue",
    "red",
    "green",
    "black",
    "white",
    "summer",
    "winter",
    "classic",
    "slim",
)


def build_app():
    from app import create_app
    from app.config import TestConfig
    from app.config import _database_url as normalise

    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/wagents_bench")

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = normalise(url)
        WTF_CSRF_ENABLED = False

    return create_app(BenchConfig)


def seed(db) -> int:
    from app.models import Order, Product, ProductCategory, ProductVariant, Reservation
    from app.services import accounts

    rng = random.Random(7)
    user = accounts.create_user("bench@example.com", "correct horse battery", "Bench shop")
    ws = user.workspace_id
    cats = [{"workspace_id": ws, "name": f"Category {i}", "slug": f"category-{i}"} for i in range(40)]
    db.session.execute(insert(ProductCategory), cats)
    cat_ids = list(db.session.scalars(select(ProductCategory.id)))
    now = datetime.now(UTC)
    fb_states = [None, None, "pushed", "pushed", "pending", "error"]
    batch = 5000
    for start in range(0, PRODUCTS, batch):
        rows = []
        for n in range(start, min(start + batch, PRODUCTS)):
            title = " ".join(rng.sample(WORDS, 3)).title() + f" {n}"
            fb = fb_states[n % len(fb_states)]
            sync = {"shopify": {"synced": n % 10 != 0, "last_sync_at": now.isoformat()}}
            if fb:
                sync["facebook"] = {"status": fb}
            price = Decimal(rng.randint(100, 20000)) / 100
            rows.append({"workspace_id": ws, "title": title, "vendor": rng.choice(["Acme", "Northwind", "Globex"]),
                         "tags": ", ".join(rng.sample(WORDS, 2)), "status": "draft" if n % 17 == 0 else "active",
                         "category_id": rng.choice(cat_ids), "price_min": price, "price_max": price,
                         "currency": "EUR", "images": [], "platform_sync": sync,
                         "shopify_product_id": f"gid://shopify/Product/{n}",
                         "created_at": now, "updated_at": now - timedelta(seconds=n)})  # fmt: skip
        db.session.execute(insert(Product), rows)
        ids = db.session.execute(
            select(Product.id, Product.price_min).order_by(Product.id.desc()).limit(len(rows))
        ).all()
        variants = [
            {"workspace_id": ws, "product_id": pid, "sku": f"SKU-{pid}-{v}", "title": f"V{v}", "position": v + 1,
             "price": price, "inventory_quantity": rng.choice([0, 0, 1, 5, 12, 40]), "option_values": []}
            for pid, price in ids
            for v in range(1 + pid % 3)
        ]  # fmt: skip
        db.session.execute(insert(ProductVariant), variants)
        db.session.commit()
        print(f"  seeded {min(start + batch, PRODUCTS):>7} products", end="\r", flush=True)
    variant_ids = list(db.session.scalars(select(ProductVariant.id).limit(5000)))
    db.session.execute(insert(Reservation), [
        {"workspace_id": ws, "variant_id": v, "quantity": 1, "status": "active",
         "expires_at": now + timedelta(hours=1)} for v in variant_ids[::5]])  # fmt: skip
    for start in range(0, ORDERS, batch):
        db.session.execute(insert(Order), [
            {"workspace_id": ws, "source_platform": rng.choice(["shopify", "whatsapp", "agent"]),
             "external_id": str(n), "status": rng.choice(["open", "committed", "cancelled"]),
             "customer_name": f"Customer {n}", "total_price": Decimal("10.00"), "currency": "EUR",
             "created_at": now - timedelta(minutes=n), "updated_at": now}
            for n in range(start, min(start + batch, ORDERS))])  # fmt: skip
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print()
    return user.id


def time_page(client, url: str) -> tuple[float, float]:
    client.get(url)  # warm caches and the connection pool
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    app = build_app()
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from app.models import User
        from app.services import sessions

        if os.environ.get("BENCH_REUSE") and db.session.scalar(select(User.id).limit(1)):
            user_id = db.session.scalar(select(User.id).where(User.email == "bench@example.com"))
        else:  # BENCH_REUSE=1 times an already seeded database again
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            upgrade(directory=str(ROOT / "migrations"))
            started = time.perf_counter()
            user_id = seed(db)
            print(f"seeded {PRODUCTS} products and {ORDERS} orders in {time.perf_counter() - started:.0f} s")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = sessions.start_session(db.session.get(User, user_id))
            session["_fresh"] = True
        first = client.get("/products?limit=50").get_data(as_text=True)
        assert "Next page" in first
        # A deep page: follow 200 keyset pages (10,000 rows in), then time that page.
        cursor_url = "/products?limit=50"
        for _ in range(200):
            html = client.get(cursor_url).get_data(as_text=True)
            cursor_url = (
                html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
            )
        # A keyset page of the stock sort, 10 pages in (the cursor carries available stock and id).
        stock_url = "/products?sort=-stock&limit=50"
        for _ in range(10):
            html = client.get(stock_url).get_data(as_text=True)
            stock_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
        cases = [
            ("products: first page", "/products"),
            ("products: search 'linen shirt'", "/products?q=linen+shirt"),
            ("products: search one word 'linen'", "/products?q=linen"),
            ("products: search SKU prefix", "/products?q=SKU-4242"),
            ("products: filter draft + facebook error", "/products?status=draft&platform=facebook_error"),
            ("products: filter out of stock", "/products?stock=out"),
            ("products: sort by price", "/products?sort=price"),
            ("products: deep keyset page (10k in)", cursor_url),
            ("products: sort by stock, most first", "/products?sort=-stock"),
            ("products: sort by stock, least first", "/products?sort=stock"),
            ("products: stock sort keyset page (500 in)", stock_url),
            ("products: htmx fragment first page", "/products"),
            ("orders: first page", "/orders/"),
        ]
        print(f"\n{'page':44} {'median ms':>10} {'p95 ms':>8}  target {TARGET_MS} ms")
        for label, url in cases:
            headers_client = client
            if "htmx" in label:
                headers_client.environ_base["HTTP_HX_REQUEST"] = "true"
            median, p95 = time_page(headers_client, url)
            headers_client.environ_base.pop("HTTP_HX_REQUEST", None)
            flag = "ok" if median < TARGET_MS else "SLOW"
            print(f"{label:44} {median:10.1f} {p95:8.1f}  {flag}")


if __name__ == "__main__":
    main()
