"""A burst worker hands back as soon as the queues are empty. RQ's command listener (a pubsub thread) used to
sleep 60 s per wait, and each burst's teardown joined it: a burst could hang for up to a minute, and a job
queued meanwhile (the first sync after a connect) waited for the next burst that long."""

from __future__ import annotations

import time

from app.worker import burst


def test_a_burst_with_nothing_to_do_returns_within_seconds(app):
    timings = []
    for _ in range(6):
        started = time.monotonic()
        burst()
        timings.append(time.monotonic() - started)
    assert max(timings) < 5, timings
