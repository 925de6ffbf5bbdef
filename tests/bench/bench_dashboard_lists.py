"""Benchmark: the overview, orders, logs and conversations pages at 100,000 rows. Run on demand, prints a table.

    python tests/bench/bench_dashboard_lists.py --database-url postgresql://postgres@127.0.0.1:5432/wagents_dash2
    python tests/bench/bench_dashboard_lists.py --database-url sqlite:////tmp/bench_dash.db

The database's schema is DROPPED and rebuilt by the migrations (use a scratch database), then one workspace gets
N products, orders, webhook deliveries, sync_log entries and conversations (one message each), plus a second
workspace of noise. Each page is requested `--runs` times in-process through the Flask test client, logged in;
p50/p95 server time in milliseconds and the number of SQL statements per request.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PAGES = [
    "/",
    "/?range=30d",
    "/?range=custom&from=2025-12-01&to=2026-11-30",
    "/orders/",
    "/orders/?status=cancelled",
    "/orders/?platform=whatsapp&date_from=2026-01-01",
    "/logs/",
    "/logs/entries",
    "/logs/entries?entity_type=order&action=update",
    "/logs/webhooks",
    "/logs/webhooks?status=failed",
    "/conversations/",
    "/conversations/?status=waiting_human",
]


def _build(app, n: int) -> int:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from app.extensions import db
    from app.models import Conversation, Integration, Message, Order, Product, SyncLog, SyncRun, Webhook
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
    now = utcnow()
    for ws in (user.workspace_id, noise.workspace_id):
        shop = Integration(
            workspace_id=ws, platform="shopify", account_id=f"s{ws}.myshopify.com", status="connected"
        )
        db.session.add(shop)
        db.session.flush()
        run = SyncRun(workspace_id=ws, integration_id=shop.id, kind="full", status="succeeded")
        db.session.add(run)
        db.session.flush()
        step = 10_000
        for start in range(0, n, step):
            rng = range(start, min(n, start + step))
            at = [now - timedelta(minutes=i) for i in rng]
            db.session.execute(insert(Product), [{"workspace_id": ws, "title": f"Product {i}", "status": "active",
                                                  "created_at": at[k], "updated_at": at[k]} for k, i in enumerate(rng)])  # fmt: skip
            db.session.execute(insert(Order), [{"workspace_id": ws, "source_platform": ("shopify", "whatsapp", "agent")[i % 3],
                                                "external_id": f"o{i}", "number": f"#{i}", "status": ("open", "cancelled", "committed")[i % 3],
                                                "customer_name": f"Customer {i}", "currency": "EUR", "total_price": 10,
                                                "created_at": at[k], "updated_at": at[k]} for k, i in enumerate(rng)])  # fmt: skip
            db.session.execute(insert(Webhook), [{"workspace_id": ws, "integration_id": shop.id, "platform": "shopify",
                                                  "topic": "orders/updated", "delivery_id": f"{ws}-{i}", "payload": f'{{"id": {i}}}',
                                                  "headers": {}, "status": "failed" if i % 50 == 0 else "processed", "attempts": 1,
                                                  "received_at": at[k]} for k, i in enumerate(rng)])  # fmt: skip
            db.session.execute(insert(SyncLog), [{"workspace_id": ws, "integration_id": shop.id, "sync_run_id": run.id,
                                                  "entity_type": ("product", "order")[i % 2], "entity_id": str(i),
                                                  "action": ("create", "update", "skip")[i % 3], "status": "success",
                                                  "created_at": at[k]} for k, i in enumerate(rng)])  # fmt: skip
            db.session.execute(insert(Conversation), [{"workspace_id": ws, "platform": "whatsapp", "channel_id": "1",
                                                       "customer_key": f"c{i}", "customer_name": f"Buyer {i}",
                                                       "status": ("open", "waiting_human", "closed")[i % 3],
                                                       "last_message_at": at[k], "created_at": at[k]} for k, i in enumerate(rng)])  # fmt: skip
            db.session.commit()
        conv_ids = db.session.scalars(select(Conversation.id).where(Conversation.workspace_id == ws)).all()
        for start in range(0, len(conv_ids), 10_000):
            db.session.execute(insert(Message), [{"conversation_id": c, "direction": "in", "body": f"hello {c}",
                                                  "status": "received", "created_at": now, "updated_at": now}
                                                 for c in conv_ids[start:start + 10_000]])  # fmt: skip
        db.session.commit()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return user.id


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the data a previous run built")
    args = parser.parse_args()

    from sqlalchemy import event

    from app import create_app
    from app.config import TestConfig, _database_url
    from app.extensions import db

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(args.database_url)

    app = create_app(BenchConfig)
    with app.app_context():
        started = time.perf_counter()
        if args.reuse:
            from app.services.accounts import find_user

            user_id = find_user("bench@example.com").id
        else:
            user_id = _build(app, args.rows)
            print(
                f"built {args.rows:,} rows per table in {time.perf_counter() - started:.0f}s ({db.engine.dialect.name})"
            )
        engine = db.engine
        from app.models import User
        from app.services import sessions

        session_token = sessions.start_session(db.session.get(User, user_id))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_token
        session["_fresh"] = True
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
    print(f"{'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for path in PAGES:
        client.get(path)  # warm the caches a real server has warm
        timings = []
        for _ in range(args.runs):
            statements.clear()
            t0 = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        print(f"{path:<52} {statistics.median(timings):>8.1f} {p95:>8.1f} {len(statements):>8}")


if __name__ == "__main__":
    main()
