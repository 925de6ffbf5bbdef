"""Unsigned Meta POST benchmark (on demand): `python tests/bench/bench_unsigned_meta.py [--concurrent 12]`.

Production shape on loopback: gunicorn serving `wsgi:app` with the Procfile's web settings (gthread,
`--web-workers`, 4 threads, access log on), Postgres (`BENCH_DATABASE_URL`,
schema rebuilt) and Redis (`BENCH_REDIS_URL`, flushed), with 20 WhatsApp integrations that have their own app
secrets and are named in the body. Each round fires `--concurrent` POSTs of a 5 MB body naming 60,000
distinct phone numbers, badly signed, at /api/webhooks/whatsapp at once, while another thread polls /healthz
every 10 ms; then the same with bodies just under Meta's documented 3 MB (refused after the signature
check, where the larger one is refused unread). Prints the refusal latency and the /healthz latency during the rounds (and before them).
Targets (issue "Trust"): refusal < 50 ms, /healthz < 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/wagents_meta_bench")
os.environ.setdefault("META_APP_SECRET", "bench-meta-app-secret")

from tests.bench import bench_webhook_intake as intake_bench  # noqa: E402

IDS = 60_000
OWN = 20  # integrations with their own app secret, named first in the body
TARGET_BYTES = 5_000_000
META_LIMIT = 3 * 1024 * 1024  # META_WEBHOOK_MAX_CONTENT_LENGTH's default


def prepare() -> list[str]:
    """Fresh schema, flushed Redis, one workspace with OWN WhatsApp numbers connected. Returns their ids."""
    from app.extensions import db
    from app.models import Integration
    from app.models.types import utcnow
    from app.services import accounts

    accounts_ids = [f"1065403{n:08d}" for n in range(OWN)]
    with intake_bench.fresh_app().app_context():
        user = accounts.create_user("bench@meta.test", "bench-password-123", "Unsigned Meta bench")
        for n, account in enumerate(accounts_ids):
            row = Integration(workspace_id=user.workspace_id, platform="whatsapp", account_id=account,
                              status="connected", config={}, proved_at=utcnow())  # fmt: skip
            row.set_secrets(access_token="bench-token", app_secret=f"own-secret-{n}")
            db.session.add(row)
        db.session.commit()
    return accounts_ids


def gunicorn(port: int, workers: int, log: Path, boot_timeout: float) -> subprocess.Popen:
    """The Procfile's `web` command on a loopback port, returned once every worker answers."""

    cmd = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--threads", "4", "--timeout", "30", "--access-logfile", "-"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=intake_bench.env(), stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + boot_timeout
    while time.monotonic() < deadline:
        booted = log.read_text(errors="replace").count("Booting worker")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
        except OSError:
            time.sleep(0.5)
            continue
        if booted >= workers:
            time.sleep(4.0)  # the last worker to boot may still be importing the app
            return proc
        time.sleep(0.5)
    intake_bench.stop(proc)
    raise SystemExit(f"gunicorn did not start within {boot_timeout:.0f}s: see {log}")


def body(own: list[str], size: int) -> tuple[bytes, int]:
    """A `size`-byte body naming `own` first, then unknown accounts: up to IDS of them, as many as fit."""
    count = IDS
    while True:
        ids = own + [f"2000000{n:08d}" for n in range(count - len(own))]
        entries = [{"changes": [{"value": {"metadata": {"phone_number_id": i}}}]} for i in ids]
        raw = json.dumps({"object": "whatsapp_business_account", "entry": entries}, separators=(",", ":"))
        if len(raw) + 14 <= size:
            break
        count = int(count * size / (len(raw) + 14) * 0.99)
    pad = size - len(raw) - 14
    return (raw[:-1] + ',"padding":"' + "x" * pad + '"}').encode(), count


def post(port: int, raw: bytes) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}
    started = time.perf_counter()
    # The server may answer (413) and close before reading the rest: its answer is still there to read.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.request("POST", "/api/webhooks/whatsapp", body=raw, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed * 1000, response.status


def health(port: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"/healthz answered {response.status}")
    return (time.perf_counter() - started) * 1000


def poll(port: int, stop: threading.Event, out: list[float]) -> None:
    while not stop.is_set():
        out.append(health(port))
        time.sleep(0.01)


def storm(port: int, raw: bytes, concurrent: int) -> list[tuple[float, int]]:
    results: list[tuple[float, int]] = []
    barrier = threading.Barrier(concurrent)

    def one():
        barrier.wait()
        results.append(post(port, raw))

    threads = [threading.Thread(target=one) for _ in range(concurrent)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _row(name: str, values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"{name:52}{len(values):>7}{statistics.median(values):>9.1f}{p99:>9.1f}{values[-1]:>9.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--boot-timeout", type=float, default=300)
    args = parser.parse_args()
    own = prepare()
    # Worst case first: the body names integrations that have secrets of their own (one more HMAC each
    # request); then a flood naming no known account (our HMAC only).
    # Past Meta's documented 3 MB a body is refused unread (413); just under it, the signature is checked.
    under = META_LIMIT - 1024
    bodies = {
        f"{TARGET_BYTES:,} bytes, own-secret accounts named first": body(own, TARGET_BYTES),
        f"{under:,} bytes, own-secret accounts named first": body(own, under),
        f"{under:,} bytes, unknown accounts only": body([], under),
    }
    tmp = Path(tempfile.mkdtemp(prefix="bench-unsigned-meta-"))
    port = intake_bench.free_port()
    load_before = os.getloadavg()
    server = gunicorn(port, args.web_workers, tmp / "app.log", args.boot_timeout)
    rows = []
    try:
        idle = [health(port) for _ in range(50)]
        for name, (raw, count) in bodies.items():
            name = f"{name} ({count:,} ids)"
            alone = [post(port, raw)[0] for _ in range(10)]  # one at a time: the cost of a refusal itself
            refusals: list[tuple[float, int]] = []
            busy: list[float] = []
            for _ in range(args.rounds):
                stop = threading.Event()
                poller = threading.Thread(target=poll, args=(port, stop, busy))
                poller.start()
                time.sleep(0.05)
                refusals += storm(port, raw, args.concurrent)
                time.sleep(0.05)
                stop.set()
                poller.join()
            statuses = sorted({status for _, status in refusals})
            rows += [f"{name}:", _row("  refusal, one request at a time", alone),
                     _row(f"  refusal, {args.concurrent} at once (answered {statuses})", [ms for ms, _ in refusals]),
                     _row("  /healthz during those", busy)]  # fmt: skip
    finally:
        intake_bench.stop(server)
    print(f"\n{args.rounds} rounds of {args.concurrent} concurrent badly signed POSTs of each body; "
          f"gunicorn {args.web_workers} workers x 4 threads; {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'':52}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    print(_row("/healthz, idle", idle))
    for row in rows:
        print(row)
    print("targets: refusal < 50 ms, /healthz < 50 ms")
    print(
        "load average before / now: "
        + " | ".join(" ".join(f"{x:.2f}" for x in la) for la in (load_before, os.getloadavg()))
    )


if __name__ == "__main__":
    main()
