"""`DemoPhone`: the stand-in number's state and the webhooks it sends the app.

Every message the app sends is checked as Meta checks it (token, number, recipient, template and parameter
count, the 24-hour window for free-form messages), kept in a small sqlite file, and answered in Meta's shape.
Then, as Meta does, status webhooks follow: `sent` and `delivered` a moment later, `read` once the customer
opens the chat (`opened`, the Demo phone page). What the customer writes (`customer_says`) is recorded and
sent to the app as a `messages` webhook. Webhooks are POSTed to `webhook_url` with `X-Hub-Signature-256`
(HMAC-SHA256 of the raw body with the app secret), in a thread so the sender has its answer first; `deliver`
(a callable taking url, body, headers) replaces the POST in tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import requests

from app.demo_phone import bodies, templates

log = logging.getLogger(__name__)

PHONE_NUMBER_ID = "100200300400500"
WABA_ID = "200300400500600"
DISPLAY_NUMBER = "+1 555-010-0100"
ACCESS_TOKEN = "EAADemoPhoneAccessToken"
CUSTOMER = "15550123456"  # the customer whose phone the Demo phone page shows
CUSTOMER_NAME = "Ana Demo"
WINDOW_SECONDS = 24 * 3600
DELIVERY_TIMEOUT = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, wamid TEXT UNIQUE NOT NULL, direction TEXT NOT NULL,
    customer TEXT NOT NULL, payload TEXT NOT NULL, category TEXT, callback TEXT, status TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_messages_customer ON messages (customer, id);
"""


class Refused(Exception):
    """A send Meta would refuse: the HTTP status and Meta's error body."""

    def __init__(self, status: int, body: dict):
        super().__init__(body["error"]["message"])
        self.status, self.body = status, body


class DemoPhone:
    def __init__(self, path: str = ":memory:", *, app_secret: str, webhook_url: str,
                 access_token: str = ACCESS_TOKEN, deliver: Callable[[str, bytes, dict], object] | None = None,
                 delivered_after: float = 0.5, clock: Callable[[], float] = time.time):  # fmt: skip
        self.app_secret, self.webhook_url, self.access_token = app_secret, webhook_url, access_token
        self.deliver, self.delivered_after, self.clock = deliver, delivered_after, clock
        self.phone_number_id, self.waba_id, self.customer = PHONE_NUMBER_ID, WABA_ID, CUSTOMER
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.executescript(SCHEMA)

    # --- the number ------------------------------------------------------------------------------------

    def number(self) -> dict:
        return {"id": PHONE_NUMBER_ID, "display_digits": "".join(c for c in DISPLAY_NUMBER if c.isdigit())}

    def phone_number(self) -> dict:
        """`GET /{phone-number-id}?fields=id,display_phone_number,verified_name,quality_rating`."""
        return {"id": PHONE_NUMBER_ID, "display_phone_number": DISPLAY_NUMBER, "verified_name": "Demo Shop",
                "quality_rating": "GREEN"}  # fmt: skip

    def serves(self, phone_number_id: str | None) -> bool:
        return phone_number_id == PHONE_NUMBER_ID

    # --- sending (the app's POSTs) ---------------------------------------------------------------------

    def accept(self, body: dict) -> dict:
        """Check and keep one message the app sends; Meta's answer, or raises `Refused`."""
        if body.get("messaging_product") != "whatsapp":
            raise Refused(400, bodies.error(100, "(#100) The parameter messaging_product is required.",
                                            details="messaging_product must be whatsapp"))  # fmt: skip
        customer = "".join(c for c in str(body.get("to") or "") if c.isdigit())
        if not customer:
            raise Refused(400, bodies.error(131030, "(#131030) Recipient phone number not in allowed list",
                                            details="The demo phone only reaches phone numbers (`to`)."))  # fmt: skip
        kind = body.get("type")
        category = None
        if kind == "template":
            category = self._check_template(body.get("template") or {})
        elif kind in ("text", "interactive"):
            if not self.window_open(customer):
                raise Refused(400, bodies.error(131047, "Re-engagement message", details=(
                    "Message failed to send because more than 24 hours have passed since the customer last "
                    "replied to this number.")))  # fmt: skip
        else:
            raise Refused(
                400, bodies.error(100, "(#100) Invalid parameter", details=f"Unsupported type {kind!r}")
            )
        payload = {k: body[k] for k in ("type", kind) if k in body}
        message_id = self._insert(
            "out", customer, payload, category, body.get("biz_opaque_callback_data"), "accepted"
        )
        self._later(self._progress, message_id)
        return {"messaging_product": "whatsapp", "contacts": [{"input": body.get("to"), "wa_id": customer}],
                "messages": [{"id": message_id, "message_status": "accepted"}]}  # fmt: skip

    def _check_template(self, sent: dict) -> str:
        name = str(sent.get("name") or "")
        language = str((sent.get("language") or {}).get("code") or "")
        template = templates.find(name, language)
        if template is None:
            raise Refused(404, bodies.error(132001, "(#132001) Template name does not exist in the translation",
                                            details=f"template name ({name}) does not exist in {language}"))  # fmt: skip
        given = sum(len(c.get("parameters") or []) for c in sent.get("components") or []
                    if str(c.get("type", "")).lower() == "body")  # fmt: skip
        expected = bodies.body_parameter_count(template)
        if given != expected:
            raise Refused(400, bodies.error(132000, "(#132000) Number of parameters does not match the expected "
                                            "number of params", details=f"body: number of localizable_params "
                                            f"({given}) does not match the expected number of params ({expected})"))  # fmt: skip
        return template["category"].lower()

    def mark_read(self, message_id: str) -> dict:
        """`{"status": "read", "message_id": ...}`: the business read the customer's message."""
        with self._lock:
            self._conn.execute(
                "UPDATE messages SET status='read' WHERE wamid=? AND direction='in'", (message_id,)
            )
        return {"success": True}

    def _progress(self, message_id: str) -> None:
        for state in ("sent", "delivered"):
            if state == "delivered" and self.delivered_after:
                time.sleep(self.delivered_after)
            self._status(message_id, state)

    def _status(self, message_id: str, state: str) -> None:
        message = self._one("SELECT * FROM messages WHERE wamid=?", (message_id,))
        with self._lock:
            self._conn.execute("UPDATE messages SET status=? WHERE wamid=?", (state, message_id))
        self._send_webhook(
            bodies.status_body(WABA_ID, self.number(), dict(message), state, int(self.clock()))
        )

    # --- the customer ----------------------------------------------------------------------------------

    def opened(self, customer: str) -> int:
        """The customer looks at the chat: every delivered message becomes read (and Meta says so)."""
        rows = self._all("SELECT wamid FROM messages WHERE customer=? AND direction='out' AND status='delivered'",
                         (customer,))  # fmt: skip
        seen = 0
        for row in rows:
            with self._lock:  # taken now, so the next look (every 2 s) does not report it read again
                taken = self._conn.execute("UPDATE messages SET status='read' WHERE wamid=? AND status='delivered'",
                                           (row["wamid"],)).rowcount  # fmt: skip
            if taken:
                seen += 1
                self._later(self._status, row["wamid"], "read")
        return seen

    def customer_says(self, customer: str, text: str, name: str = CUSTOMER_NAME) -> int:
        """The customer writes `text`: kept, and sent to the app as a signed `messages` webhook now; the
        app's HTTP status (0 when it could not be reached)."""
        message_id = self._insert(
            "in", customer, {"type": "text", "text": {"body": text}}, None, None, "received"
        )
        body = bodies.inbound_body(
            WABA_ID, self.number(), customer, name, message_id, text, int(self.clock())
        )
        return self._send_webhook(body)

    def window_open(self, customer: str) -> bool:
        row = self._one(
            "SELECT MAX(created_at) AS at FROM messages WHERE customer=? AND direction='in'", (customer,)
        )
        return row["at"] is not None and self.clock() - row["at"] < WINDOW_SECONDS

    def chat(self, customer: str) -> list[dict]:
        """Everything exchanged with `customer`, oldest first, as the phone shows it."""
        shown = []
        for row in self._all("SELECT * FROM messages WHERE customer=? ORDER BY id", (customer,)):
            payload = json.loads(row["payload"])
            template = None
            if payload.get("type") == "template":
                sent = payload.get("template") or {}
                template = templates.find(sent.get("name"), (sent.get("language") or {}).get("code"))
            shown.append({"id": row["id"], "wamid": row["wamid"], "direction": row["direction"],
                          "status": row["status"], "at": row["created_at"],
                          "time": datetime.fromtimestamp(row["created_at"], UTC).strftime("%H:%M"),
                          **bodies.render(payload, template)})  # fmt: skip
        return shown

    def customers(self) -> list[str]:
        """Every customer the number has exchanged messages with, the demo customer first."""
        found = [r["customer"] for r in self._all("SELECT DISTINCT customer FROM messages ORDER BY customer")]
        return [CUSTOMER] + [c for c in found if c != CUSTOMER]

    # --- storage and delivery --------------------------------------------------------------------------

    def _insert(self, direction, customer, payload, category, callback, status) -> str:
        message_id = bodies.wamid()
        with self._lock:
            self._conn.execute(
                "INSERT INTO messages (wamid, direction, customer, payload, category, callback, status, created_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (
                    message_id,
                    direction,
                    customer,
                    json.dumps(payload),
                    category,
                    callback,
                    status,
                    self.clock(),
                ),
            )
        return message_id

    def _one(self, sql: str, args: tuple = ()):
        with self._lock:
            return self._conn.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple = ()):
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def _later(self, call, *args) -> None:
        if self.deliver is not None:  # tests: in order, at once
            call(*args)
            return
        threading.Thread(target=call, args=args, name="demo-phone-webhook", daemon=True).start()

    def sign(self, raw: bytes) -> str:
        return "sha256=" + hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()

    def _send_webhook(self, body: dict) -> int:
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": self.sign(raw)}
        if self.deliver is not None:
            return int(self.deliver(self.webhook_url, raw, headers) or 200)
        try:
            response = requests.post(self.webhook_url, data=raw, headers=headers, timeout=DELIVERY_TIMEOUT)
        except requests.RequestException as exc:
            log.warning("demo phone webhook to %s failed: %s", self.webhook_url, exc)
            return 0
        if response.status_code >= 300:
            log.warning("demo phone webhook to %s: HTTP %s", self.webhook_url, response.status_code)
        return response.status_code
