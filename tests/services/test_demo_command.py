"""The README's one command, `flask --app wsgi demo`, run as a merchant runs it: a process of its own on the test
database (the embedded queue and worker inside it), on kernel-assigned ports (`--port 0 --mcp-port 0`).

Its first sync brings the demo store's orders too (Orders lists them, Overview counts them); killing it, by
any signal, frees its port at once; a taken port is named with the program holding it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PRODUCTS = 20
DEMO_ORDERS = 25  # the demo store's default: what `flask demo` seeds


class Demo:
    def __init__(self, proc: subprocess.Popen, log: Path):
        self.proc, self.log = proc, log
        self.url = self.port = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"demo on (http://127\.0\.0\.1:(\d+))/", self.output())
            if found and "MCP server for agents" in self.output():
                self.url, self.port = found[1], int(found[2])
                return self.url
            if self.proc.poll() is not None:
                pytest.fail(f"the demo exited ({self.proc.returncode}):\n{self.output()[-3000:]}")
            time.sleep(0.2)
        pytest.fail(f"the demo did not start within {timeout}s:\n{self.output()[-3000:]}")


@pytest.fixture
def start_demo(app, tmp_path):
    started: list[Demo] = []

    def start(*args: str) -> Demo:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "REDIS_URL", "DEMO_"))}
        env.update(
            DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
            DEMO_STORE_DB=str(tmp_path / f"demo-store-{len(started)}.sqlite3"),
            SECRET_KEY="demo-command-test",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        log = tmp_path / f"demo-{len(started)}.log"
        cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "demo", "--port", "0", "--mcp-port", "0",
               "--products", str(PRODUCTS), *args]  # fmt: skip
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)  # fmt: skip
        started.append(Demo(proc, log))
        return started[-1]

    yield start
    for demo in started:  # whatever a test left running: the whole group, so nothing outlives the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(demo.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            demo.proc.wait(timeout=10)


def log_in(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    answer = session.post(f"{url}/login", timeout=10, data={
        "csrf_token": token, "email": "demo@example.com", "password": "demo-password",
    })  # fmt: skip
    assert answer.ok and "/login" not in answer.url, answer.text[:500]
    return session


def test_the_demo_first_sync_brings_its_orders(start_demo):
    demo = start_demo()
    url = demo.wait_ready()
    session = log_in(url)
    deadline = time.monotonic() + 90
    card = ""
    while 'data-status="succeeded" data-kind="orders"' not in card:  # the full sync, then its orders run
        assert time.monotonic() < deadline, (
            f"no orders run finished:\n{card[-3000:]}\n{demo.output()[-3000:]}"
        )
        time.sleep(0.5)
        card = session.get(f"{url}/integrations", timeout=10).text
    assert 'data-status="succeeded" data-kind="full"' in card and "Sync orders" in card
    page = session.get(f"{url}/orders", timeout=10).text
    assert page.count("<tr data-order-id=") > 0
    overview = session.get(f"{url}/", timeout=10).text
    counted = int(re.search(r'data-count="orders">([\d,]+)<', overview)[1].replace(",", ""))
    assert counted == DEMO_ORDERS


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_killing_the_demo_frees_its_port(start_demo, how):
    demo = start_demo()
    demo.wait_ready()
    log_in(demo.url)  # the first request has been served: every thread of the demo is up
    time.sleep(1.0)  # and its first sync is under way
    os.kill(demo.proc.pid, how)  # the parent only, as a terminal or a supervisor does
    demo.proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while not _port_is_free(demo.port):
        assert time.monotonic() < deadline, f"port {demo.port} still held after {how.name} of the demo"
        time.sleep(0.1)


def test_a_taken_port_is_named_with_its_holder(start_demo):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        demo = start_demo("--port", str(port))  # the later one wins: click takes the last --port
        assert demo.proc.wait(timeout=60) != 0
    said = demo.output()
    assert f"Port {port} on 127.0.0.1 is already in use by process {os.getpid()}" in said, said[-2000:]
    assert "--port" in said and "Traceback" not in said
