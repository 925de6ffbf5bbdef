"""Outbox sending benchmark (on demand): `python tests/bench/bench_outbox.py [--messages 800] [--workers 4]`.

A stand-in Meta (a threaded HTTP server on loopback, answering like the Cloud API and noting each message's
arrival time) receives `--messages` template messages from `--workers` sender threads (RQ burst workers) on
`BENCH_DATABASE_URL` (default: a SQLite file; its schema is rebuilt) and `BENCH_REDIS_URL` (default:
fakeredis; the Redis database is flushed). Two runs: first with no throughput limit (the floor: what the
senders can do on this machine), then with the default 80 messages/s per number. Prints messages/s over the
whole run and per full second. Target (issue 22): with the limit, within 5 % of 80/s, never above it in any
one second.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig, _database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.messaging.customers import customer_for, set_consent  # noqa: E402
from app.messaging.outbox import queue_message, template_message  # noqa: E402
from app.models import Integration  # noqa: E402
from app.models.types import utcnow  # noqa: E402
from app.queues import get_queue, get_redis  # noqa: E402
from app.services import accounts  # noqa: E402
from app.worker import ThreadWorker  # noqa: E402

PHONE = "106540352242922"


class StandInMeta:
    def __init__(self):
        self.arrivals: list[float] = []
        ids = itertools.count(1)
        meta = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                meta.arrivals.append(time.time())
                answer = json.dumps({"messaging_product": "whatsapp", "contacts": [{"wa_id": "1"}],
                                     "messages": [{"id": f"wamid.bench.{next(ids)}"}]}).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 5790), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:5790"


def build_app(meta_url: str):
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"

    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(url)
        REDIS_URL = os.environ.get("BENCH_REDIS_URL") or None
        META_GRAPH_BASE = meta_url

    app = create_app(Bench)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
    return app


def seed(app, n: int, tag: str) -> None:
    with app.app_context():
        user = accounts.create_user(f"bench-{tag}@example.com", "correct horse battery", f"Bench {tag}")
        integration = Integration(workspace_id=user.workspace_id, platform="whatsapp", account_id=f"{PHONE}{tag}",
                                  status="connected", config={"phone_number_id": PHONE}, proved_at=utcnow())  # fmt: skip
        integration.set_secrets(access_token="bench-token")
        db.session.add(integration)
        db.session.commit()
        message = template_message("order_confirmation", "es_MX",
                                   [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}])  # fmt: skip
        for i in range(n):
            customer = customer_for(user.workspace_id, wa_id=f"52155{i:08d}")
            set_consent(customer, "opted_in", "inbound_message", utcnow())
            queue_message(customer, f"order:{tag}:{i}", message, category="utility")
            if i % 200 == 199:
                db.session.commit()
        db.session.commit()  # wakes the senders' jobs


def drain(app, workers: int) -> float:
    def work():
        with app.app_context():
            ThreadWorker([get_queue("default")], connection=get_redis()).work(
                burst=True, logging_level="ERROR"
            )
            db.session.remove()

    start = time.time()
    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.time() - start


def figures(arrivals: list[float]) -> tuple[float, float, int]:
    """(messages/s first to last, mean of the full seconds, busiest second)."""
    arrivals = sorted(arrivals)
    overall = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    per_second: dict[int, int] = {}
    for t in arrivals:
        per_second[int(t)] = per_second.get(int(t), 0) + 1
    full = [per_second[s] for s in sorted(per_second)[1:-1]] or list(per_second.values())
    return overall, sum(full) / len(full), max(per_second.values())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=800)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    meta = StandInMeta()
    app = build_app(meta.url)
    with app.app_context():
        get_redis().flushdb()
    rows = []
    for tag, limit in (("floor", 1_000_000), ("limited", 80)):
        app.config["MESSAGING_PER_SECOND"] = limit
        seed(app, args.messages, tag)
        meta.arrivals.clear()
        elapsed = drain(app, args.workers)
        assert len(meta.arrivals) == args.messages, (tag, len(meta.arrivals))
        rows.append((tag, limit, elapsed, *figures(meta.arrivals)))
    with app.app_context():
        dialect = db.engine.dialect.name
    print(f"outbox benchmark: {args.messages} messages, {args.workers} sender threads, {dialect}")
    print(
        f"{'run':<8} {'limit/s':>9} {'seconds':>8} {'msg/s':>8} {'full-second mean':>17} {'busiest second':>15}"
    )
    for tag, limit, elapsed, overall, mean, busiest in rows:
        shown = "none" if limit >= 1_000_000 else str(limit)
        print(f"{tag:<8} {shown:>9} {elapsed:>8.2f} {overall:>8.1f} {mean:>17.1f} {busiest:>15}")
    floor, limited = rows[0], rows[1]
    print(
        f"limited full-second mean / limit = {limited[4] / 80:.3f}; floor rate / limit = {floor[3] / 80:.2f}"
    )
    meta.server.shutdown()


if __name__ == "__main__":
    main()
