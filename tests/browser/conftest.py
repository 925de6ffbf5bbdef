"""Real-browser fixtures: the app served on a loopback port from a thread, and Debian's Chromium driven by
Playwright (`executable_path`, no downloaded browser). A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        page = item.funcargs.get("page")
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            # The page may already be gone; the failure itself matters more than its picture.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{item.name}.png"), full_page=True)


# Every page of every browser test reports Content-Security-Policy violations (the event and Chromium's
# console message): a test whose pages broke the policy fails at teardown.
CSP_PROBE = """document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));"""


@pytest.fixture
def csp_violations():
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    context.expose_binding("__cspViolation", lambda _source, text: csp_violations.append(text))
    context.add_init_script(CSP_PROBE)
    page = context.new_page()
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_violations.append(m.text))
    yield page
    context.close()
    assert csp_violations == [], "Content-Security-Policy violations"


@pytest.fixture
def logged_in_page(page, user):
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    return page


@pytest.fixture
def live_worker(app):
    """A real RQ worker thread draining the queues while a browser test runs."""
    from app.queues import QUEUES, get_queue, get_redis
    from app.worker import ThreadWorker

    stop = threading.Event()

    def run():
        with app.app_context():
            # ThreadWorker's command listener polls each second (`app.worker`): a burst ends at once on real Redis.
            worker = ThreadWorker([get_queue(n) for n in QUEUES], connection=get_redis())
            while not stop.is_set():
                # With the scheduler, as production's workers run: a job that failed once is retried (RQ moves it
                # back from its scheduled registry); without it the run stayed in progress for ever.
                worker.work(burst=True, logging_level="WARNING", with_scheduler=True)
                stop.wait(0.2)

    thread = threading.Thread(target=run, name="live-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)
