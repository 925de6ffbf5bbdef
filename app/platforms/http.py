"""One HTTP session per client and ONE retry policy for every platform call.

Policy: up to 3 retries after the first attempt, exponential backoff 1 s, 2 s, 4 s with jitter, on connection
errors, timeouts, 429 (honouring `Retry-After`) and 5xx. Never on other 4xx: an auth or validation error
does not get better by asking again. Every request has a timeout. Sleep and randomness are injectable so
tests never really sleep. This module knows no platform; clients map the final response to typed errors.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from app.platforms.errors import PlatformUnavailable

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504}) | frozenset(range(505, 600))


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    backoff: float = 1.0  # first wait; doubles each retry: 1, 2, 4
    jitter: float = 0.25  # up to +25 % on each wait, so many workers do not retry in lockstep
    max_retry_after: float = 120.0  # a longer Retry-After gives up now and lets the job reschedule
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, retry_index: int) -> float:
        base = self.backoff * (2**retry_index)
        return base * (1 + self.jitter * self.rand())


DEFAULT_POLICY = RetryPolicy()


def parse_retry_after(value: str | None, now: Callable[[], datetime] | None = None) -> float | None:
    """`Retry-After` as seconds; accepts delta-seconds or an HTTP date. None when absent or garbage."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now() if now else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def new_session(user_agent: str = "wagents-commerce/0.1") -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    return session


class HttpTransport:
    """A `requests.Session` plus the retry policy; one per platform client."""

    def __init__(
        self,
        *,
        platform: str,
        session: requests.Session | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        unavailable: type[PlatformUnavailable] = PlatformUnavailable,
    ):
        self.platform = platform
        self.session = session or new_session()
        self.policy = policy
        self.sleep = sleep
        self.timeout = timeout
        self.unavailable = unavailable

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        """Send with retries; return the final response (any status the policy does not retry).

        The same `json=`/`data=` is resent on every attempt, so an idempotency key in the body stays the
        same across retries of one call. Raises `self.unavailable` when the retries are used up.
        """
        kwargs.setdefault("timeout", self.timeout)
        attempts = self.policy.retries + 1
        last_problem = ""
        retry_after = None
        for attempt in range(attempts):
            try:
                response = self.session.request(method, url, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                wait = self.policy.delay(attempt)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                last_problem = f"HTTP {response.status_code}"
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.policy.max_retry_after:
                    raise self.unavailable(
                        f"{self.platform} asked to wait {retry_after:.0f}s ({method} {_path(url)})",
                        attempts=attempt + 1,
                        retry_after=retry_after,
                        status=response.status_code,
                    )
                wait = retry_after if retry_after is not None else self.policy.delay(attempt)
            if attempt == attempts - 1:
                break
            log.warning(
                "%s %s %s failed (%s); retry %d/%d in %.2fs",
                self.platform,
                method,
                _path(url),
                last_problem,
                attempt + 1,
                self.policy.retries,
                wait,
            )
            self.sleep(wait)
        raise self.unavailable(
            f"{self.platform} gave up on {method} {_path(url)} after {attempts} attempts: {last_problem}",
            attempts=attempts,
            retry_after=retry_after,
        )


def _path(url: str) -> str:
    """The URL without query string, so tokens passed as parameters never reach a log line."""
    return url.split("?", 1)[0]
