"""The Procfile's web process for real: gunicorn with `gunicorn.conf.py` serving `wsgi:app` on a loopback port.

Checks what only a real server shows: gunicorn de-chunks a `Transfer-Encoding: chunked` body and marks it
`wsgi.input_terminated`, and the app answers 413 JSON past MAX_CONTENT_LENGTH (and reads a smaller one
whole); and the access log keeps no credential from a query string. Its own SQLite file, no Redis (the
embedded queue), talks to 127.0.0.1 only, and kills its process group at the end.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.platforms.signatures import sign_meta_body

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 64 * 1024
SECRETS = ("verify-secret-123", "challenge-987", "oauth-code-555", "state-666", "hmac-777", "referer-tok-888")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gunicorn")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "REDIS_", "DATABASE_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp / 'app.db'}", EMBEDDED_WORKER="0", MAX_CONTENT_LENGTH=str(LIMIT),
               META_VERIFY_TOKEN="verify-secret-123", META_APP_SECRET="meta-secret", SECRET_KEY="gunicorn-test",
               LOG_LEVEL="WARNING")  # fmt: skip
    subprocess.run(
        [sys.executable, "-c", "from app import create_app; from app.extensions import db; "
         "app = create_app(); app.app_context().push(); db.create_all()"],
        cwd=ROOT, env=env, check=True, timeout=60,
    )  # fmt: skip
    port, log = _free_port(), tmp / "gunicorn.log"
    # The Procfile's command, on a loopback port and with one worker.
    cmd = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app", "--bind", f"127.0.0.1:{port}",
           "--workers", "1", "--threads", "8", "--timeout", "30", "--access-logfile", "-"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(port, "GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield port, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _request(port, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _post_chunked(port, path, body: bytes, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        # http.client frames each item of an iterable body as one chunk and sends no Content-Length.
        pieces = [body[i : i + 8192] for i in range(0, len(body), 8192)]
        conn.request("POST", path, body=iter(pieces), encode_chunked=True,
                     headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked", **(headers or {})})  # fmt: skip
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("path", ["/api/webhooks/shopify", "/api/webhooks/whatsapp", "/api/products"])
def test_chunked_body_over_the_limit_answers_413_json_through_gunicorn(server, path):
    port, _log = server
    body = json.dumps({"entry": ["x" * 1000] * (3 * LIMIT // 1000)}).encode()
    status, raw = _post_chunked(port, path, body, {"Authorization": "Bearer nope"})
    assert status == 413
    assert json.loads(raw) == {"error": f"The request body is larger than the limit of {LIMIT} bytes."}


def test_chunked_body_within_the_limit_is_read_whole_through_gunicorn(server):
    port, _log = server
    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [], "pad": "p" * (LIMIT // 2)}
    ).encode()
    status, raw = _post_chunked(port, "/api/webhooks/whatsapp", body,
                                {"X-Hub-Signature-256": sign_meta_body("meta-secret", body)})  # fmt: skip
    # The signature matched over every byte (a truncated body would answer 401).
    assert status == 200, raw


def test_access_log_redacts_query_string_credentials(server):
    port, log = server
    status, body = _request(
        port, "GET", "/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-secret-123"
        "&hub.challenge=challenge-987",
    )  # fmt: skip
    assert (status, body) == (200, b"challenge-987")
    status, _ = _request(
        port, "GET", "/integrations/shopify/callback?code=oauth-code-555&state=state-666&hmac=hmac-777"
        "&shop=casa-nova.myshopify.com", headers={"Referer": "https://admin.shopify.com/x?token=referer-tok-888"},
    )  # fmt: skip
    assert status == 302
    deadline = time.monotonic() + 10
    while "callback" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert "hub.verify_token=[redacted]&hub.challenge=[redacted]" in text
    assert "code=[redacted]&state=[redacted]&hmac=[redacted]&shop=casa-nova.myshopify.com" in text
    assert "token=[redacted]" in text  # the Referer
    assert not [s for s in SECRETS if s in text], text
