"""Webhook intake benchmark (on demand): `python tests/bench/bench_webhook_intake.py [--deliveries 20000]`.

Production shape on loopback: gunicorn serving `wsgi:app` with the Procfile's settings (gthread, 2 workers for
2 cores, 8 threads each, access log on; `--web-workers` and `--threads` change both servers alike), Postgres
(`BENCH_DATABASE_URL`, schema rebuilt) and Redis (`BENCH_REDIS_URL`, flushed). `wrk` (apt: wrk) replays N pre-signed Shopify `products/update` deliveries
(10 % re-deliveries, shuffled, newer versions of each product) through a Lua script with a bounded request
count. Prints throughput and p50/p99 against a bare Flask endpoint (`bare_wsgi.py`) on the same gunicorn
settings, then the time for RQ workers (the Procfile's `webhooks` process, `--drain-workers` of them, long-running) to drain the inbox, and checks
that every product ends at its newest version with nothing lost. Targets (issue 6): >= 1,000 deliveries/s,
p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/wagents_sys_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
SHOP = "intake-bench.myshopify.com"
SECRET = "bench-shopify-secret"
HERE = Path(__file__).resolve().parent
WORKER_CLASS = "app.worker.InlineAppWorker"  # the Procfile's `webhooks` process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("ENCRYPTION_KEY", "DEMO_MODE")}
    e.update(DATABASE_URL=DB_URL, REDIS_URL=REDIS_URL, SECRET_KEY="bench-secret-key", SHOPIFY_API_SECRET=SECRET,
             LOG_LEVEL="WARNING", PYTHONPATH=f"{ROOT}:{HERE}")  # fmt: skip
    return e


def fresh_app():
    """The app on the bench database with its schema rebuilt from the migrations and Redis flushed; the
    caller adds its rows inside `app.app_context()`. The secret key is the servers': secrets must decrypt there."""
    import redis
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.config import TestConfig, _database_url
    from app.extensions import db

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = _database_url(DB_URL)
        SECRET_KEY = "bench-secret-key"
        REDIS_URL = None

    app = create_app(BenchConfig)
    redis.Redis.from_url(REDIS_URL).flushdb()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
    return app


def prepare() -> int:
    """Fresh schema, flushed Redis, one workspace with the shop connected. Returns the workspace id."""
    from app.extensions import db
    from app.models import Integration
    from app.models.types import utcnow
    from app.services import accounts

    with fresh_app().app_context():
        user = accounts.create_user("bench@intake.test", "bench-password-123", "Intake bench")
        row = Integration(workspace_id=user.workspace_id, platform="shopify", account_id=SHOP, status="connected",
                          config={}, proved_at=utcnow())  # fmt: skip
        row.set_secrets(access_token="shpat_bench")
        db.session.add(row)
        db.session.commit()
        return user.workspace_id


def write_requests(path: Path, planned, port: int) -> None:
    with path.open("wb") as out:
        for d in planned:
            headers = d.headers(SHOP, SECRET)
            lines = ["POST /api/webhooks/shopify HTTP/1.1", f"Host: 127.0.0.1:{port}",
                     f"Content-Length: {len(d.body)}"] + [f"{k}: {v}" for k, v in headers.items()]  # fmt: skip
            raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + d.body
            out.write(f"{len(raw)}\n".encode() + raw)


def gunicorn(target: str, port: int, workers: int, log: Path, threads: int = 8) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", target, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", str(threads), "--timeout", "30", "--access-logfile", "-"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            # Any HTTP answer (a 404 will do) means a worker has loaded the app.
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
        except urllib.error.HTTPError:
            pass
        except OSError:
            time.sleep(0.2)
            continue
        # The arbiter's socket answers as soon as the first worker is up; the others may still be importing
        # the app, and requests they accepted meanwhile would time the boot, not the intake.
        time.sleep(4.0)
        return proc
    proc.kill()
    raise SystemExit(f"gunicorn {target} did not start: see {log}")


def cpu_seconds(pgid: int) -> float:
    """CPU (user + system) used so far by the live processes of a process group (gunicorn's arbiter and
    workers): unlike throughput, it hardly depends on what else shares the cores."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(since: float) -> float:
    """CPU used by the bench database's server processes that connected after `since` (epoch seconds)."""
    from sqlalchemy import create_engine, text

    from app.config import _database_url

    engine = create_engine(_database_url(DB_URL))
    with engine.connect() as conn:
        pids = conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_start > to_timestamp(:since) AND application_name <> 'bench-poll'"
            ),
            {"since": since},
        ).scalars()
        pids = list(pids)
    engine.dispose()
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def commits() -> int:
    """Transactions committed in the bench database so far (a server process reports its own at exit)."""
    from sqlalchemy import create_engine, text

    from app.config import _database_url

    engine = create_engine(_database_url(DB_URL))
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_stat_clear_snapshot()"))
        n = conn.execute(
            text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        ).scalar()
    engine.dispose()
    return int(n)


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, 9)


def wrk(port: int, path: str, requests_file: Path | None, count: int, threads: int, connections: int,
        server: subprocess.Popen, since: float) -> dict:  # fmt: skip
    script = HERE / "intake.lua"
    if requests_file is None:  # the bare endpoint: the same number of small POSTs
        requests_file = Path(tempfile.mktemp(suffix=".reqs"))
        raw = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 2\r\n\r\n{{}}".encode()
        requests_file.write_bytes(b"".join(f"{len(raw)}\n".encode() + raw for _ in range(count)))
    done_dir = Path(tempfile.mkdtemp(prefix="wrk-done-"))
    cpu_before, db_before = cpu_seconds(server.pid), backend_cpu_seconds(since)
    proc = subprocess.Popen(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", "600s", "--timeout", "10s", "-s", str(script),
         f"http://127.0.0.1:{port}{path}"],
        env={**os.environ, "REQUESTS_FILE": str(requests_file), "WRK_THREADS": str(threads), "DONE_DIR": str(done_dir)},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    # wrk runs until -d even when every thread has sent its share: end it (SIGINT prints the summary) then.
    deadline = time.monotonic() + 600
    while len(list(done_dir.iterdir())) < threads and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if proc.poll() is None:
        proc.send_signal(2)
    stdout, _ = proc.communicate(timeout=30)
    out = argparse.Namespace(stdout=stdout)
    line = next(li for li in out.stdout.splitlines() if li.startswith("RESULT"))
    result = {k: float(v) for k, v in (item.split("=") for item in line.split()[1:])}
    result["rate"] = result["requests"] / result["seconds"]
    result["cpu_ms"] = (cpu_seconds(server.pid) - cpu_before) * 1000 / result["requests"]
    result["db_ms"] = (backend_cpu_seconds(since) - db_before) * 1000 / result["requests"]
    return result


RELEASE_KEY = "bench:intake:release"


def hold() -> None:
    """A job that keeps its worker busy until the benchmark releases it (run by the workers, not here)."""
    import redis

    connection = redis.Redis.from_url(os.environ["REDIS_URL"])
    while not connection.exists(RELEASE_KEY):  # polled: a blocking read hits the worker's socket timeout
        time.sleep(0.05)


def start_workers(workers: int, *, hold_them: bool) -> list[subprocess.Popen]:
    """Start `workers` long-running worker processes (as in production: up before any delivery arrives) and
    wait until each has loaded the app and registered. With `hold_them`, each then runs a `hold` job until
    `release()`: the intake is timed alone, and the drain starts on warm workers the moment they are
    released (the drain jobs intake queued meanwhile wait behind nothing)."""
    import redis
    from rq import Queue, Worker
    from rq.registry import StartedJobRegistry

    connection = redis.Redis.from_url(REDIS_URL)
    cmd = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", WORKER_CLASS, "--url", REDIS_URL,
           "--logging_level", "WARNING", "webhooks"]  # fmt: skip
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True) for _ in range(workers)]  # fmt: skip
    deadline = time.monotonic() + 180

    def wait(ready, what):
        while not ready():
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                for proc in procs:
                    stop(proc)
                raise SystemExit(f"the drain workers did not start ({what})")
            time.sleep(0.2)

    wait(lambda: Worker.count(connection=connection) >= workers, "registration")
    if hold_them:
        queue = Queue("webhooks", connection=connection)
        for _ in range(workers):
            queue.enqueue("bench_webhook_intake.hold", job_timeout=3600)
        registry = StartedJobRegistry("webhooks", connection=connection)
        wait(lambda: queue.count == 0 and registry.count >= workers, "hold jobs")
    return procs


def release() -> float:
    """Let the held workers go (within 50 ms); returns the moment (monotonic)."""
    import redis

    redis.Redis.from_url(REDIS_URL).set(RELEASE_KEY, "go")
    return time.monotonic()


def drain(procs: list[subprocess.Popen], started: float, timeout: float) -> tuple[float, dict]:
    """Time from `started` until no delivery is pending or processing, then stop the workers."""
    from sqlalchemy import create_engine, text

    from app.config import _database_url

    engine = create_engine(_database_url(DB_URL), connect_args={"application_name": "bench-poll"})
    open_ = text("SELECT count(*) FROM webhook WHERE status IN ('pending', 'processing')")
    cpu_before = sum(cpu_seconds(p.pid) for p in procs), backend_cpu_seconds(0)
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as conn:
                if not conn.execute(open_).scalar():
                    break
            time.sleep(0.05)
        else:
            print(f"drain stopped after {timeout:.0f}s")
        elapsed = time.monotonic() - started
        # The workers' and the database's CPU over the drain (this poll's own backend is not counted).
        cpu = sum(cpu_seconds(p.pid) for p in procs) - cpu_before[0], backend_cpu_seconds(0) - cpu_before[1]
    finally:
        for proc in procs:
            stop(proc)
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT status, count(*) FROM webhook GROUP BY status")).all())
        superseded = conn.execute(
            text("SELECT count(*) FROM webhook WHERE superseded_by IS NOT NULL")
        ).scalar()
        spans = conn.execute(
            text(
                "SELECT EXTRACT(EPOCH FROM max(processed_at) - min(claimed_at)),"
                " EXTRACT(EPOCH FROM max(processed_at) - min(received_at)),"
                " EXTRACT(EPOCH FROM max(processed_at) - max(received_at)) FROM webhook"
            )
        ).one()
    statuses["of which superseded"] = superseded
    statuses["spans"] = [float(x or 0) for x in spans]
    statuses["cpu"] = cpu
    return elapsed, statuses


def check_newest(workspace_id: int, newest: dict[int, int]) -> int:
    """How many products are NOT at their newest version (0 is the target)."""
    from sqlalchemy import create_engine, text

    from app.config import _database_url
    from tests.system import deliveries as plan_

    engine = create_engine(_database_url(DB_URL))
    with engine.connect() as conn:
        titles = dict(conn.execute(text("SELECT shopify_product_id, title FROM product WHERE workspace_id = :w"),
                                   {"w": workspace_id}).all())  # fmt: skip
    return sum(1 for i, v in newest.items() if titles.get(plan_.product_gid(i)) != plan_.title(i, v))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker, both servers")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--drain-workers", type=int, default=4)
    parser.add_argument("--drain-timeout", type=float, default=1800)
    parser.add_argument("--drain-with-intake", action="store_true",
                        help="workers drain while the deliveries arrive (default: held until the intake ends)")  # fmt: skip
    parser.add_argument("--intake-only", action="store_true",
                        help="time the intake against the bare endpoint only: no drain workers, no drain")  # fmt: skip
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install wrk")
    from tests.system import deliveries as plan_

    workspace_id = prepare()
    planned, newest = plan_.plan(args.products, args.deliveries, 0.10, seed=20261125)
    unique = len({d.webhook_id for d in planned})
    tmp = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    rows = []
    load_before = os.getloadavg()

    port = free_port()
    since = time.time()
    server = gunicorn("bare_wsgi:app", port, args.web_workers, tmp / "bare.log", args.threads)
    try:
        bare = wrk(port, "/bare", None, args.deliveries, 2, args.connections, server, since)
    finally:
        stop(server)
    hold = not args.drain_with_intake
    procs = [] if args.intake_only else start_workers(args.drain_workers, hold_them=hold)
    port = free_port()
    write_requests(tmp / "deliveries.reqs", planned, port)
    try:
        since, commits_before = time.time(), commits()
        server = gunicorn("wsgi:app", port, args.web_workers, tmp / "app.log", args.threads)
        try:
            reqs = tmp / "deliveries.reqs"
            intake = wrk(
                port, "/api/webhooks/shopify", reqs, args.deliveries, 2, args.connections, server, since
            )
        finally:
            stop(server)
        time.sleep(1.0)  # the server processes report their commits as they exit
        intake["commits"] = commits() - commits_before
    except BaseException:
        for proc in procs:
            stop(proc)
        raise
    load_intake = os.getloadavg()
    rows += [
        ("bare Flask endpoint", f"{bare['rate']:.0f}/s", f"{bare['p50']:.1f}", f"{bare['p99']:.1f}", ""),
        ("signed webhook intake", f"{intake['rate']:.0f}/s", f"{intake['p50']:.1f}", f"{intake['p99']:.1f}",
         f"non-200: {intake['non200']:.0f}, socket errors: {intake['errors']:.0f}"),
    ]  # fmt: skip
    print(f"\n{args.deliveries:,} deliveries ({unique:,} unique, {args.products:,} products); gunicorn "
          f"{args.web_workers} workers x {args.threads} threads; wrk 2 threads, {args.connections} connections; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'':24}{'throughput':>12}{'p50 ms':>9}{'p99 ms':>9}  notes")
    for name, rate, p50, p99, note in rows:
        print(f"{name:24}{rate:>12}{p50:>9}{p99:>9}  {note}")
    print(f"CPU per request: gunicorn bare {bare['cpu_ms']:.2f} ms, intake {intake['cpu_ms']:.2f} ms "
          f"+ Postgres backends {intake['db_ms']:.2f} ms; "
          f"{intake['commits']:,} transactions committed for {args.deliveries:,} deliveries")  # fmt: skip
    print(
        f"intake / bare throughput: {intake['rate'] / bare['rate']:.2f}   (target: >= 1,000/s, p99 < 50 ms)",
        flush=True,  # the drain takes minutes: show the intake figures now
    )
    if args.intake_only:
        print("load average before / after intake: "
              + " | ".join(" ".join(f"{x:.2f}" for x in la) for la in (load_before, load_intake)))  # fmt: skip
        return
    drain_s, statuses = drain(procs, release() if hold else time.monotonic(), args.drain_timeout)
    first_claim_s, first_delivery_s, tail_s = statuses.pop("spans")
    worker_cpu, db_cpu = statuses.pop("cpu")
    stale = check_newest(workspace_id, newest)

    workers = f"{args.drain_workers} {WORKER_CLASS.rsplit('.', 1)[1]} processes, started before the intake"
    if hold:
        print(f"drain: {workers} and held until it ended; from their release to nothing pending: {drain_s:.1f}s, "
              f"{unique / drain_s:.0f} deliveries/s; first claim to last status: {first_claim_s:.1f}s, "
              f"{unique / first_claim_s:.0f}/s")  # fmt: skip
    else:
        print(f"drain: {workers}, draining during it; first delivery received to last status: "
              f"{first_delivery_s:.1f}s ({unique / first_delivery_s:.0f}/s); last delivery received to last "
              f"status: {tail_s:.1f}s")  # fmt: skip
    print(f"drain CPU per unique delivery: workers {worker_cpu * 1000 / unique:.2f} ms, "
          f"Postgres backends {db_cpu * 1000 / unique:.2f} ms")  # fmt: skip
    print(f"inbox: {statuses}")
    stored = sum(v for k, v in statuses.items() if k != "of which superseded")
    print(f"stored once: {stored == unique}; products not at newest version: {stale}")
    print(
        "load average before / after intake / now: "
        + " | ".join(" ".join(f"{x:.2f}" for x in la) for la in (load_before, load_intake, os.getloadavg()))
    )


if __name__ == "__main__":
    main()
