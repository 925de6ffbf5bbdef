"""Limits on guessing: login, sign-up and password change attempts, counted by Flask-Limiter.

The counters live in Redis (`REDIS_URL`) so every web process shares them, and in memory in the embedded
default (no Redis). Each limit is a list of windows ("5 per minute; 20 per hour; 100 per day"): the longer
someone keeps guessing, the longer the wait. Failed attempts count, successful ones do not. A limited attempt
answers 429 with `Retry-After` and the form re-rendered with a sentence saying how long to wait.

Per-address limits need the client's address: behind a proxy that appends it to `X-Forwarded-For` (Heroku's
router, a load balancer), set `FORWARDED_FOR_PROXIES` to the number of such proxies, or every visitor would
share the proxy's address.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import current_app, jsonify, render_template, request
from flask_limiter import RateLimitExceeded

from app.extensions import limiter
from app.services.accounts import normalise_email

_PAGES: dict[str, Callable[[str], str]] = {}
# Per-request notes kept in the WSGI environ rather than `g`: an app context may outlive one request.
_WAIT = "wagents.limit_wait"
_WRONG_PASSWORD = "wagents.wrong_password"
UNLIMITED_BLUEPRINTS = ("webhooks",)


def init_app(app) -> None:
    config = app.config
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    if config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        # A Redis outage must not hang the login page: fail fast, then count in memory until it is back.
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})
    config.setdefault("RATELIMIT_KEY_PREFIX", "wagents-limits")
    config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    config.setdefault("RATELIMIT_FAIL_ON_FIRST_BREACH", False)  # every breached window sets the wait
    config.setdefault("RATELIMIT_ON_BREACH_CALLBACK", _remember_wait)
    limiter.init_app(app)
    # Webhook routes declare no limit (a platform's signature, not a guessable password, admits them): they
    # skip the limiter's per-request search for limits that apply, the largest hook on their path.
    hooks = app.before_request_funcs[None]
    hooks[hooks.index(limiter._check_request_limit)] = _unless_unlimited(limiter._check_request_limit)
    app.register_error_handler(RateLimitExceeded, _limited)


def _unless_unlimited(check: Callable[[], None]) -> Callable[[], None]:
    def check_limits() -> None:
        if request.blueprint not in UNLIMITED_BLUEPRINTS:
            check()

    return check_limits


def client_address() -> str:
    hops = int(current_app.config.get("FORWARDED_FOR_PROXIES") or 0)
    if hops:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def _address_key() -> str:
    return "address:" + client_address()


def _user_key() -> str:
    from flask_login import current_user

    return "user:" + str(getattr(current_user, "id", None) or client_address())


def _failed(response) -> bool:
    # Success answers with a redirect; a refused attempt re-renders the form (4xx).
    return response.status_code >= 400


def _config(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def login_limits(view):
    """Failed logins, per account (from any address) and per address (across accounts)."""
    view = limiter.limit(
        _config("LOGIN_LIMITS_PER_ACCOUNT"), key_func=_account_key, methods=["POST"], deduct_when=_failed
    )(view)
    return limiter.limit(
        _config("LOGIN_LIMITS_PER_ADDRESS"), key_func=_address_key, methods=["POST"], deduct_when=_failed
    )(view)


def signup_limits(view):
    """Every sign-up attempt, per address: each one costs a password hash and may create a workspace."""
    return limiter.limit(_config("SIGNUP_LIMITS_PER_ADDRESS"), key_func=_address_key, methods=["POST"])(view)


def password_change_limits(view):
    """Password changes that named a wrong current password (`count_wrong_password()`), per user: guessing
    it is guessing the login. A new password that breaks a rule does not count."""
    return limiter.limit(
        _config("LOGIN_LIMITS_PER_ACCOUNT"),
        key_func=_user_key,
        methods=["POST"],
        deduct_when=lambda _response: request.environ.get(_WRONG_PASSWORD, False),
    )(view)


def count_wrong_password() -> None:
    request.environ[_WRONG_PASSWORD] = True


def page_for(endpoint: str):
    """Register how `endpoint` re-renders its form with the wait message when an attempt is limited."""

    def register(render: Callable[[str], str]):
        _PAGES[endpoint] = render
        return render

    return register


def _remember_wait(limit) -> None:
    wait = max(1, math.ceil(limit.reset_at - time.time()))
    request.environ[_WAIT] = max(request.environ.get(_WAIT, 0), wait)


def _in_words(seconds: int) -> str:
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds > size:
            count = math.ceil(seconds / size)
            return f"{count} {unit}{'s' if count > 1 else ''}"
    return f"{seconds} second{'s' if seconds > 1 else ''}"


def _limited(exc: RateLimitExceeded):
    wait = request.environ.get(_WAIT) or 60
    message = f"Too many attempts. Wait {_in_words(wait)} and try again."
    render = _PAGES.get(request.endpoint or "")
    if request.path.startswith("/api/"):
        response = jsonify({"error": message})
    elif render is not None:
        response = current_app.make_response(render(message))
    else:
        response = current_app.make_response(
            render_template("error.html", code=429, headline="Too many requests", message=message)
        )
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response
