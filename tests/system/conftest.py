"""Fixtures for the fault suite: the production shape on real services.

Real Postgres and Redis (TEST_DATABASE_URL / TEST_REDIS_URL), real `rq worker` processes running the project's
`AppWorker` (each its own Python process, configured only by environment variables, as the Procfile runs it),
and the demo store served over loopback HTTP behind a fault-injecting WSGI wrapper (`faults.py`). Without the
two URLs every test here is skipped: SQLite and fakeredis cannot host a second process.

Must not talk to anything but 127.0.0.1, and must leave no process behind: every worker is killed (its whole
process group) when the test ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from app.demo_store import DemoStore, create_standalone_app
from app.extensions import db
from app.models import Integration
from app.models.types import utcnow
from tests.system.faults import FaultInjector

ROOT = Path(__file__).resolve().parents[2]
SHOP = "fault-store.myshopify.com"
TOKEN = "shpat_fault_suite_token"
REAL_SERVICES = bool(os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL"))


def pytest_collection_modifyitems(config, items):
    if REAL_SERVICES:
        return
    skip = pytest.mark.skip(
        reason="fault suite runs the production shape (rq worker processes sharing Postgres and Redis): "
        "set TEST_DATABASE_URL and TEST_REDIS_URL"
    )
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(skip)


class DemoServer:
    """The demo store app wrapped in a FaultInjector, served on a loopback port in a daemon thread."""

    def __init__(self, store: DemoStore, injector: FaultInjector):
        self.store, self.injector = store, injector
        self.server = make_server("127.0.0.1", 0, injector, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.port}"
        store.public_url = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, name="demo-store", daemon=True)
        self.thread.start()

    @property
    def api_base(self) -> str:
        return f"{self.url}/demo-store/{{shop}}"

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()


@pytest.fixture
def demo_server(app, tmp_path):
    """A 1,000-product store (tests reseed it), throttle off, no webhooks fired, faults off until set."""
    store = DemoStore(
        str(tmp_path / "demo.sqlite3"),
        api_key=app.config["SHOPIFY_API_KEY"],
        api_secret=app.config["SHOPIFY_API_SECRET"],
        default_products=1000,
        default_orders=0,
        throttle_off=True,
        bulk_mode="thread",
        deliver=lambda url, body, headers: None,
        bulk_dir=str(tmp_path / "bulk"),
    )
    store.seed_shop(SHOP)
    store.add_custom_token(SHOP, TOKEN)
    server = DemoServer(store, FaultInjector(create_standalone_app(store)))
    yield server
    server.stop()
    store.db.close()


@pytest.fixture
def shop_integration(db, workspace):
    row = Integration(workspace_id=workspace.id, platform="shopify", account_id=SHOP, display_name="Fault Store",
                      status="connected", config={"currency": "USD"}, proved_at=utcnow())  # fmt: skip
    row.set_secrets(access_token=TOKEN)
    db.session.add(row)
    db.session.commit()
    return row.id


def worker_env(app, shopify_base: str | None = None, **extra: str) -> dict[str, str]:
    """What an operator sets for the Procfile's `worker`: the same database, Redis and secrets as the app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "ENCRYPTION_KEY"))}
    env.update(
        DATABASE_URL=os.environ["TEST_DATABASE_URL"],
        REDIS_URL=os.environ["TEST_REDIS_URL"],
        SECRET_KEY=app.config["SECRET_KEY"],  # the Fernet key for secrets at rest derives from it
        SHOPIFY_API_KEY=app.config["SHOPIFY_API_KEY"],
        SHOPIFY_API_SECRET=app.config["SHOPIFY_API_SECRET"],
        SHOPIFY_API_BASE=shopify_base or app.config["SHOPIFY_API_BASE"],
        META_APP_SECRET=app.config["META_APP_SECRET"],
        APP_URL=app.config["APP_URL"],
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("DEMO_MODE", None)
    env.update(extra)
    return env


class Workers:
    """Starts `rq worker` processes (`AppWorker` unless told otherwise, as the Procfile runs them); kills them
    all at the end."""

    def __init__(self, app, tmp_path: Path):
        self.app, self.tmp_path, self.procs = app, tmp_path, []

    def start(self, *queues: str, burst=True, shopify_base: str | None = None, scheduler=False,
              worker_class: str = "app.worker.AppWorker", **env: str):  # fmt: skip
        log = open(self.tmp_path / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115 - closed with proc
        cmd = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", worker_class,
               "--url", os.environ["TEST_REDIS_URL"], "--logging_level", "WARNING"]  # fmt: skip
        if burst:
            cmd.append("--burst")
        if scheduler:
            cmd.append("--with-scheduler")
        cmd += list(queues or ("webhooks", "sync", "default"))
        proc = subprocess.Popen(cmd, env=worker_env(self.app, shopify_base, **env), cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        proc.log_file = log
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill(proc) -> None:
        """SIGKILL the worker and its work horse at once, as a crashed dyno loses both. The horse is forked
        into a process group of its own (RQ calls setpgrp), so it is found as the worker's child."""
        for pid in [*_children(proc.pid), proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def wait(self, proc, timeout: float) -> int:
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(proc)
            pytest.fail(f"worker did not finish within {timeout}s:\n{self.output(proc)[-3000:]}")

    @staticmethod
    def output(proc) -> str:
        proc.log_file.flush()
        return Path(proc.log_file.name).read_text(errors="replace")

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc)
            proc.log_file.close()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if (
                int(stat.rsplit(")", 1)[1].split()[1]) == pid
            ):  # field 4, after the "(comm)" that may hold spaces
                found.append(int(entry.name))
    return found


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # thousands of GraphQL calls are not worth a log line each
        pass


@pytest.fixture
def workers(app, tmp_path):
    pool = Workers(app, tmp_path)
    yield pool
    pool.close()
    db.session.remove()


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll `predicate` (bounded in time); returns its truthy value or fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")
