"""A fault-injecting WSGI wrapper around the demo store: Shopify having a bad day, reproducibly.

Only Admin GraphQL calls are touched (bulk downloads and images pass through). In `random` mode each call fails
with probability `rate`, drawing the kind from `kinds` with a seeded RNG, and never more than `max_in_a_row`
calls in a row, so the client's three retries always get through: a transient storm, not an outage. In `outage`
mode every call after the first `outage_after` answers 503. Faults:

- `500`: an Internal Server Error with Shopify's JSON error shape;
- `429`: Too Many Requests with `Retry-After: 1`;
- `throttled`: a 200 whose body is GraphQL's THROTTLED error (bucket nearly full again: about a 1 s wait);
- `drop`: the connection is closed without an answer (the client sees a connection error).

Must not be used outside tests, and never changes what the store itself answers.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
from collections import Counter

KINDS = ("500", "429", "throttled", "drop")
THROTTLED = {
    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED",
                                                        "documentation": "https://shopify.dev/api/usage/limits"}}],
    "extensions": {"cost": {"requestedQueryCost": 1000, "actualQueryCost": None,
                            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 920,
                                               "restoreRate": 100.0}}},
}  # fmt: skip


class FaultInjector:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.mode = "off"
        self.calls = 0
        self.injected: Counter[str] = Counter()
        self._rng = random.Random(0)
        self._in_a_row = 0

    def random_faults(self, *, seed: int, rate: float, kinds=KINDS, max_in_a_row: int = 2) -> None:
        with self.lock:
            self.mode, self.rate, self.kinds, self.max_in_a_row = "random", rate, tuple(kinds), max_in_a_row
            self._rng, self._in_a_row = random.Random(seed), 0

    def outage(self, *, after: int = 0) -> None:
        with self.lock:
            self.mode, self.outage_after, self.calls = "outage", after, 0

    def off(self) -> None:
        with self.lock:
            self.mode = "off"

    def _decide(self) -> str | None:
        with self.lock:
            self.calls += 1
            if self.mode == "outage":
                fault = "503" if self.calls > self.outage_after else None
            elif (
                self.mode == "random"
                and self._in_a_row < self.max_in_a_row
                and self._rng.random() < self.rate
            ):
                fault = self._rng.choice(self.kinds)
            else:
                fault = None
            self._in_a_row = self._in_a_row + 1 if fault else 0
            if fault:
                self.injected[fault] += 1
            return fault

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").endswith("/graphql.json"):
            return self.app(environ, start_response)
        fault = self._decide()
        if fault is None:
            return self.app(environ, start_response)
        _drain(environ)
        if fault == "drop":
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            return [b""]
        if fault == "throttled":
            return _json(start_response, "200 OK", THROTTLED)
        if fault == "429":
            return _json(start_response, "429 Too Many Requests", {"errors": "Too Many Requests"},
                         [("Retry-After", "1")])  # fmt: skip
        status = "503 Service Unavailable" if fault == "503" else "500 Internal Server Error"
        return _json(start_response, status, {"errors": "Internal Server Error"})


def _drain(environ) -> None:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)


def _json(start_response, status: str, body: dict, headers=()):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                            *headers])  # fmt: skip
    return [data]
