"""Sending the outbox: the `messaging.send` job, Meta's status webhooks, and the sweep.

Meta offers no idempotency key for `POST /{phone-number-id}/messages`, so "exactly once" is built here:

1. **Claim.** One UPDATE moves a due `queued` row to `sending`, counts the attempt and sets a lease; it is
   committed *before* the POST. Two workers cannot both claim it (the WHERE holds the status), and a worker
   killed after this point leaves a row that says an attempt may have reached Meta.
2. **POST** with no transport retries (a retried POST after a lost answer is how a message goes out twice) and
   `biz_opaque_callback_data = "outbox:<id>"`, which Meta echoes in every status webhook of that message.
3. **Record** the returned wamid and `sent` (forward only: a status webhook may have got there first).

A worker killed between 1 and 3 (or a POST whose answer was lost) leaves `sending` with a lease. The sweep
leaves such a row alone for `MESSAGING_RECONCILE_GRACE` seconds past its lease: if the POST did reach Meta,
its `sent` status webhook arrives in that time, names the row by the callback data, and moves it to `sent`
with its wamid; only a row that stays silent is queued again. So the message goes out once unless Meta
accepted it and then withheld every status webhook for the whole grace period (the one case left, logged when
a second wamid arrives for the same row).

Errors: 130429 (throughput), 131056 (pair rate limit) and other rate limits put the row back with an
exponential back-off (never given up); an outage of Meta or Redis only delays (the sweep re-enqueues due rows);
131047 (outside the window), a bad recipient or any other refusal is a clear `failed` with Meta's message.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.integrations.clients import whatsapp_client
from app.messaging.checkouts import reminder_obsolete
from app.messaging.outbox import blocker, enqueue_send
from app.messaging.throughput import take_slot
from app.models import Customer, Integration, OutboxMessage
from app.models.types import utcnow
from app.platforms.errors import MetaError, MetaRateLimited, MetaUnavailable
from app.platforms.http import RetryPolicy
from app.platforms.whatsapp import Recipient

log = logging.getLogger(__name__)

NO_RETRY = RetryPolicy(retries=0)
RANK = {"queued": 0, "sending": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131048, 131056})
BACKOFF_CAP = 600.0
SWEEP_BATCH = 1000
CALLBACK_PREFIX = "outbox:"


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(current_app.config.get(name, default)))


def backoff(attempts: int, code: int | None) -> timedelta:
    """2 s, 4 s, 8 s... up to 10 minutes, +25 % jitter; a pair limit (131056) waits at least 6 s."""
    base = min(BACKOFF_CAP, 2.0 * 2 ** max(0, attempts - 1))
    if code == 131056:
        base = max(base, 6.0)
    return timedelta(seconds=base * (1 + 0.25 * random.random()))


def _claim(outbox_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == "queued", OutboxMessage.due_at <= now)
        .values(status="sending", attempts=OutboxMessage.attempts + 1,
                lease_until=now + _seconds("MESSAGING_LEASE", 60), updated_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.commit()
    return bool(result.rowcount)


def send(outbox_id: int) -> str:
    """Send one outbox row if it is due and nobody holds it; the outcome as a word (for logs and tests)."""
    if not _claim(outbox_id):
        return "skip"
    row = db.session.get(OutboxMessage, outbox_id)
    customer = db.session.get(Customer, row.customer_id)
    why = blocker(customer, row.kind, row.category) or reminder_obsolete(row)
    if why:
        return _finish(row, "cancelled", error=why)
    integration = db.session.get(Integration, row.integration_id) if row.integration_id else None
    if integration is None or integration.status != "connected":
        return _requeue(row, timedelta(minutes=15), None, "WhatsApp is not connected; waiting for it.")
    recipient = Recipient(wa_id=customer.wa_id, user_id=customer.user_id)
    client = whatsapp_client(integration, policy=NO_RETRY)
    db.session.commit()  # no transaction held open across the POST
    take_slot(client.phone_number_id)
    try:
        sent = client.send_payload(recipient, row.payload, callback_data=f"{CALLBACK_PREFIX}{row.id}")
    except MetaRateLimited as exc:
        return _requeue(row, backoff(row.attempts, exc.code), exc.code, str(exc))
    except MetaUnavailable as exc:
        # The POST may have reached Meta: let the lease and the grace decide (see the module docstring).
        row.lease_until, row.error = utcnow(), str(exc)[:1000]
        db.session.commit()
        log.warning("outbox %s: Meta unavailable on attempt %s; reconciling", row.id, row.attempts)
        return "unknown"
    except MetaError as exc:
        return _finish(row, "failed", error=exc.merchant_message + f" ({exc})", code=exc.code)
    return _record_sent(row.id, sent.message_id)


def _finish(row: OutboxMessage, status: str, *, error: str, code: int | None = None) -> str:
    row.status, row.error, row.error_code, row.lease_until = status, error[:1000], code, None
    db.session.commit()
    log.info("outbox %s: %s (%s)", row.id, status, code or "-")
    return status


def _requeue(row: OutboxMessage, wait: timedelta, code: int | None, error: str) -> str:
    row.status, row.due_at, row.enqueued_at, row.lease_until = "queued", utcnow() + wait, None, None
    row.error, row.error_code = error[:1000], code
    db.session.commit()
    return "retry"


def _record_sent(outbox_id: int, wamid: str) -> str:
    now = utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status == "sending")
        .values(status="sent", wamid=wamid or None, sent_at=now, lease_until=None, error=None, error_code=None,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if not result.rowcount:  # a status webhook got there first; it set the wamid from the callback data
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.wamid.is_(None))
            .values(wamid=wamid or None, sent_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return "sent"


# --- status webhooks ------------------------------------------------------------------------------------


def _row_for_status(workspace_id: int, wamid: str, callback: str | None) -> OutboxMessage | None:
    criteria = [OutboxMessage.wamid == wamid] if wamid else []
    if callback and callback.startswith(CALLBACK_PREFIX) and callback[len(CALLBACK_PREFIX) :].isdigit():
        criteria.append(OutboxMessage.id == int(callback[len(CALLBACK_PREFIX) :]))
    if not criteria:
        return None
    stmt = select(OutboxMessage).where(OutboxMessage.workspace_id == workspace_id, or_(*criteria))
    return db.session.scalars(stmt.order_by(OutboxMessage.id)).first()


def apply_status(workspace_id: int, wamid: str, status: str, *, callback: str | None = None,
                 code: int | None = None, error: str | None = None) -> str | None:  # fmt: skip
    """Move the outbox row a WhatsApp status webhook names; None when no row is ours (a reply sent elsewhere).
    No commit: the webhook's transaction holds it."""
    row = _row_for_status(workspace_id, wamid, callback)
    if row is None:
        return None
    if wamid and row.wamid and row.wamid != wamid:
        log.error("outbox %s: a second wamid %s after %s (sent twice)", row.id, wamid, row.wamid)
        return "duplicate"
    if wamid and not row.wamid:
        row.wamid = wamid
    if status == "failed" and code in RATE_LIMIT_CODES:
        row.status, row.due_at, row.enqueued_at, row.lease_until = (
            "queued",
            utcnow() + backoff(row.attempts, code),
            None,
            None,
        )
        row.error, row.error_code = (error or "Rate limited")[:1000], code
        return "retry"
    if RANK.get(status, -1) <= RANK.get(row.status, -1) or row.status == "cancelled":
        return "skip"
    row.status, row.lease_until = status, None
    if row.sent_at is None:
        row.sent_at = utcnow()
    if status == "failed":
        row.error, row.error_code = (error or "Delivery failed.")[:1000], code
    return status


# --- sweep ----------------------------------------------------------------------------------------------


def sweep_outbox() -> int:
    """Take back rows whose lease and grace ran out without a word from Meta, and wake every due row no job
    holds (never enqueued, or enqueued long ago: Redis lost it). Returns how many were enqueued."""
    now = utcnow()
    grace = _seconds("MESSAGING_RECONCILE_GRACE", 120)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now - grace)
        .values(status="queued", due_at=now, enqueued_at=None, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.session.commit()
    stale = now - _seconds("MESSAGING_REENQUEUE_AFTER", 120)
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.due_at <= now,
               or_(OutboxMessage.enqueued_at.is_(None), OutboxMessage.enqueued_at < stale))
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(SWEEP_BATCH)
    ).all()  # fmt: skip
    done = 0
    for outbox_id in ids:
        if not enqueue_send(outbox_id):
            break
        done += 1
    return done
