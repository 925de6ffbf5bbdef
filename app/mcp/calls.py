"""The per-token rate limit and the record of every MCP tool call.

The limit counts calls per token in Flask-Limiter's storage (Redis when `REDIS_URL` is set, shared by every
MCP process; memory in the embedded default), with the window from `MCP_RATE_LIMIT`. A storage outage lets
calls through rather than locking every agent out (as the login limits do with `RATELIMIT_SWALLOW_ERRORS`).

The record keeps a short summary of the arguments: keys and short values, long text cut, never more than
`ARGUMENTS_MAX` characters, and no personal fields (a customer's name is shown as `…`).
"""

from __future__ import annotations

import json
import logging
import math
import time

from flask import current_app
from limits import parse_many

from app.extensions import db, limiter
from app.models import AgentCall

log = logging.getLogger(__name__)

ARGUMENTS_MAX = 500
VALUE_MAX = 60
PERSONAL = frozenset({"customer_name", "customer_phone", "customer_email", "email", "phone", "address"})
DEFAULT_RATE_LIMIT = "120 per minute; 2000 per hour"


def wait_seconds(token_id: int) -> int | None:
    """Count one call for this token; None when within the limit, else the seconds until the next call fits."""
    try:
        windows = parse_many(current_app.config.get("MCP_RATE_LIMIT") or DEFAULT_RATE_LIMIT)
        strategy = limiter.limiter
        # `hit` counts and checks in one step (atomic in Redis): concurrent calls cannot all slip through.
        breached = [w for w in windows if not strategy.hit(w, "mcp-token", str(token_id))]
        if breached:
            resets = [strategy.get_window_stats(w, "mcp-token", str(token_id)).reset_time for w in breached]
            return max(1, math.ceil(max(resets) - time.time()))
    except Exception:  # the limit's storage is down: serve rather than refuse every agent
        log.warning("mcp rate limit storage unavailable; call let through", exc_info=True)
    return None


def _short(value):
    if isinstance(value, str):
        return value if len(value) <= VALUE_MAX else value[: VALUE_MAX - 1] + "…"
    if isinstance(value, dict):
        return {k: ("…" if k in PERSONAL else _short(v)) for k, v in list(value.items())[:12]}
    if isinstance(value, list):
        head = [_short(v) for v in value[:5]]
        return head + [f"… {len(value) - 5} more"] if len(value) > 5 else head
    return value


def summarise(arguments) -> str:
    """A short, readable summary of a call's arguments for the log (never the whole payload)."""
    try:
        text = json.dumps(_short(arguments or {}), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = "(unreadable arguments)"
    return text if len(text) <= ARGUMENTS_MAX else text[: ARGUMENTS_MAX - 1] + "…"


def record(caller, tool: str, arguments, outcome: str, message: str | None, duration_ms: int) -> None:
    """Store one call (its own transaction); a failure to record is logged, never the agent's problem."""
    try:
        db.session.add(
            AgentCall(
                workspace_id=caller.workspace_id,
                token_id=caller.token_id,
                transport=caller.transport,
                tool=tool[:100],
                arguments=summarise(arguments),
                outcome=outcome[:60],
                message=(message or "")[:500] or None,
                duration_ms=max(0, int(duration_ms)),
            )  # fmt: skip
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record the mcp call %s of token %s", tool, caller.token_id)
