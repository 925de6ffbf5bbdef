"""Keeping to a WhatsApp number's throughput (Cloud API default: 80 messages a second per business number).

A fixed one-second window per phone number id in Redis (`INCR` + `EXPIRE`), shared by every sender process:
a sender takes a slot before its POST and, when the second is full, sleeps to the next one. Meta's own 130429
answer still backs off (`sender`); this keeps a burst of automation messages from provoking it. Redis being
unreachable never stops a send here (the worker that runs the job needed Redis to get it anyway).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from flask import current_app

from app.queues import get_redis

log = logging.getLogger(__name__)

DEFAULT_PER_SECOND = 80
MAX_WAIT = 5.0  # seconds one send may wait for a slot before it goes anyway (then 130429 backs it off)


def take_slot(
    phone_number_id: str,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Wait until this second has a slot for the number; returns the seconds waited."""
    limit = int(current_app.config.get("MESSAGING_PER_SECOND", DEFAULT_PER_SECOND))
    waited = 0.0
    conn = get_redis()
    while True:
        now = clock()
        second = int(now)
        key = f"wa-throughput:{phone_number_id}:{second}"
        try:
            with conn.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, 3)
                used = pipe.execute()[0]
        except redis.RedisError as exc:
            log.warning("throughput slot for %s not taken: %s", phone_number_id, exc)
            return waited
        if used <= limit or waited >= MAX_WAIT:
            return waited
        pause = max(0.001, second + 1 - now)
        sleep(pause)
        waited += pause
