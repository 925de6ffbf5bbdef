"""A sender process killed between "claimed" and "sent" (SIGKILL while its POST is at Meta): the message goes
out exactly once, whether or not Meta had accepted it.

The stand-in Meta is a real HTTP server on a local port (the killed process is a separate Python), which holds
the POST open until the process is dead: either without accepting it (Meta never got it) or after accepting
it (Meta sent it, the answer was lost). Meta then sends, or does not send, its `sent` status webhook.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.messaging import sender
from app.messaging.customers import customer_for, set_consent
from app.messaging.outbox import queue_message, template_message
from app.models import OutboxMessage
from app.models.types import utcnow
from tests.messaging.conftest import PHONE_NUMBER_ID, USER_ID, WA_ID, status_body

ROOT = Path(__file__).resolve().parents[2]


class FakeMeta:
    def __init__(self):
        self.mode = "accept"  # accept, hang_before (never accepted), hang_after (accepted, no answer)
        self.accepted: list[tuple[str, dict]] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.ids = itertools.count(1)
        meta = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != f"/v25.0/{PHONE_NUMBER_ID}/messages":
                    self.send_error(404)
                    return
                mode = meta.mode
                if mode in ("accept", "hang_after"):
                    wamid = f"wamid.fake.{next(meta.ids)}"
                    meta.accepted.append((wamid, body))
                meta.arrived.set()
                if mode != "accept":
                    meta.release.wait(30)
                    return  # the client is gone: no answer
                answer = json.dumps({"messaging_product": "whatsapp", "contacts": [{"input": WA_ID, "wa_id": WA_ID}],
                                     "messages": [{"id": wamid}]}).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        for port in range(5740, 5800):
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_meta(app):
    meta = FakeMeta()
    before = app.config["META_GRAPH_BASE"]
    app.config["META_GRAPH_BASE"] = meta.url  # the in-process sender after the kill talks to it too
    yield meta
    app.config["META_GRAPH_BASE"] = before
    meta.close()


def queued_row(workspace_id) -> int:
    customer = customer_for(workspace_id, user_id=USER_ID, wa_id=WA_ID)
    set_consent(customer, "opted_in", "inbound_message", utcnow())
    result = queue_message(customer, "order:1:confirmation", template_message("order_confirmation", "en_US"),
                           category="utility")  # fmt: skip
    db.session.commit()
    return result.id


def row(outbox_id) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, outbox_id)


def kill_mid_send(app, fake_meta, outbox_id):
    env = {
        **os.environ,
        "FAULT_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "FAULT_GRAPH_BASE": fake_meta.url,
    }
    process = subprocess.Popen([sys.executable, "-m", "tests.messaging.send_process", str(outbox_id)], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert fake_meta.arrived.wait(60), process.communicate(timeout=5)
        claimed = row(outbox_id)
        assert (claimed.status, claimed.attempts) == (
            "sending",
            1,
        )  # the attempt was recorded before the POST
        process.send_signal(signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    fake_meta.arrived.clear()


def lease_ran_out(seconds_ago: float) -> None:
    db.session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=seconds_ago)))
    db.session.commit()


def test_killed_before_meta_accepted_it_is_sent_once_after_the_grace(
    app, fake_meta, whatsapp_integration, run_jobs
):
    outbox_id = queued_row(whatsapp_integration.workspace_id)
    fake_meta.mode = "hang_before"
    kill_mid_send(app, fake_meta, outbox_id)
    fake_meta.mode = "accept"
    assert fake_meta.accepted == []
    lease_ran_out(1)  # the lease is over but Meta may still report the message: wait for the grace
    sender.sweep_outbox()
    run_jobs()
    assert fake_meta.accepted == [] and row(outbox_id).status == "sending"
    lease_ran_out(app.config["MESSAGING_RECONCILE_GRACE"] + 1)  # silence: it never reached Meta
    sender.sweep_outbox()
    run_jobs()
    ((wamid, body),) = fake_meta.accepted
    done = row(outbox_id)
    assert (done.status, done.wamid, done.attempts) == ("sent", wamid, 2)
    assert body["biz_opaque_callback_data"] == f"outbox:{outbox_id}"
    sender.sweep_outbox()
    run_jobs()
    assert len(fake_meta.accepted) == 1


def test_killed_after_meta_accepted_the_status_webhook_settles_it(
    app, fake_meta, post_meta, whatsapp_integration, run_jobs
):
    outbox_id = queued_row(whatsapp_integration.workspace_id)
    fake_meta.mode = "hang_after"
    kill_mid_send(app, fake_meta, outbox_id)
    fake_meta.mode = "accept"
    ((wamid, body),) = fake_meta.accepted
    lease_ran_out(1)
    sender.sweep_outbox()
    run_jobs()
    assert len(fake_meta.accepted) == 1  # within the grace: no second send
    # Meta's "sent" status for the message whose answer was lost, naming our row by the callback data.
    post_meta("whatsapp", status_body(wamid, "sent", callback=body["biz_opaque_callback_data"]))
    run_jobs()
    settled = row(outbox_id)
    assert (settled.status, settled.wamid, settled.attempts) == ("sent", wamid, 1)
    lease_ran_out(app.config["MESSAGING_RECONCILE_GRACE"] + 600)
    sender.sweep_outbox()
    run_jobs()
    assert len(fake_meta.accepted) == 1
    post_meta("whatsapp", status_body(wamid, "delivered"))
    run_jobs()
    assert row(outbox_id).status == "delivered"
    assert db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.wamid == wamid)) == "delivered"
