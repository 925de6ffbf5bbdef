"""The abandoned-checkout reminder: the recovery link, N minutes after the checkout's last activity, unless its
order has arrived; at most one per checkout.

- **When.** A checkout written by `checkouts/create|update` (or read by the `abandonedCheckouts` query) gets a
  `messaging.checkout_due` job scheduled (rq-scheduler) for its last activity + the delay; a newer update
  schedules it again (the same job id: it moves). The minute sweep (`sweep_checkouts`, in housekeeping) does
  the same for every due checkout, so a lost job or a missed tick only makes a reminder late. Only checkouts
  whose due time is within `CATCH_UP` are reminded: switching the automation on does not message every old
  checkout.
- **Once.** The decision is stored on the checkout (`reminder_status`, `reminder_outbox_id`) and the outbox row
  is unique per (customer, `checkout:<gid>:reminder`, template): re-deliveries, a second sweep and a job
  running twice queue nothing more.
- **Not after the order.** An order naming the checkout (`checkout_token` / `checkout_id`) links it and
  cancels a queued, unsent reminder at once; the sender checks again just before the POST
  (`reminder_obsolete`), and the due check looks for the order itself (an order synced, not delivered).
- **Postponed.** A newer update of a checkout whose reminder is queued but unsent moves the row's due time.
- **Consent.** The template's category decides (a marketing template needs the customer's opt-in, as for
  every message); a refusal is recorded, and reconsidered only after newer checkout activity.

No commits except in the jobs (`checkout_due`, `sweep_checkouts`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from app.extensions import db
from app.messaging.automations import KINDS, automation, body_parameters
from app.messaging.customers import customer_for, digits, note_shopify_consent
from app.messaging.outbox import queue_message, template_message
from app.messaging.templates import approved
from app.models import Automation, Checkout, Order, OutboxMessage
from app.models.types import utcnow
from app.queues import enqueue_at

log = logging.getLogger(__name__)

KIND = "abandoned_checkout"
CATCH_UP = timedelta(hours=24)
BATCH = 500
EVENT_PREFIX = "checkout:"


def event_key(checkout: Checkout) -> str:
    return f"{EVENT_PREFIX}{checkout.shopify_checkout_id}:reminder"


def _order_for(checkout: Checkout):
    """The stored order that completed this checkout (by token or checkout id), or None."""
    criteria = [Order.checkout_id == checkout.shopify_checkout_id]
    if checkout.token:
        criteria.append(Order.checkout_token == checkout.token)
    stmt = select(Order).where(Order.workspace_id == checkout.workspace_id, or_(*criteria))
    return db.session.scalars(stmt.order_by(Order.created_at, Order.id)).first()


def _cancel_queued(checkout: Checkout, why: str) -> None:
    if checkout.reminder_outbox_id is None:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == checkout.reminder_outbox_id, OutboxMessage.status == "queued")
        .values(status="cancelled", error=why, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _link(checkout: Checkout, order: Order) -> None:
    checkout.order_id = order.id
    checkout.completed_at = checkout.completed_at or order.created_at
    if checkout.reminder_status is None:
        checkout.reminder_status = "ordered"
    _cancel_queued(checkout, "The checkout's order arrived.")


# --- webhook effects (in the delivery's transaction) -----------------------------------------------------


def after_checkouts(
    workspace_id: int, records: list[dict], written: dict[str, int]
) -> list[tuple[int, datetime]]:
    """Consent from the checkout, then for each checkout written: postpone or cancel a queued reminder, and
    reconsider a refused one. Returns (checkout id, due time) to schedule once committed."""
    for record in records:
        note_shopify_consent(workspace_id, record.get("customer_phone"), record.get("customer_name"),
                             record.get("sms_marketing_consent"))  # fmt: skip
    settings = automation(workspace_id, KIND)
    if not written or settings is None or not settings.enabled:
        return []
    delay = timedelta(minutes=settings.delay_minutes)
    due = []
    for checkout in db.session.scalars(select(Checkout).where(Checkout.id.in_(list(written.values())))):
        order = None if checkout.order_id else _order_for(checkout)
        if order is not None:
            _link(checkout, order)
        elif checkout.completed_at is not None:
            _cancel_queued(checkout, "The checkout was completed.")
        elif checkout.reminder_status == "refused":
            checkout.reminder_status = None
        elif checkout.reminder_status == "queued" and checkout.last_activity_at is not None:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == checkout.reminder_outbox_id, OutboxMessage.status == "queued")
                .values(due_at=checkout.last_activity_at + delay, enqueued_at=None, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )  # fmt: skip
        if checkout.reminder_status is None and checkout.completed_at is None and checkout.last_activity_at:
            due.append((checkout.id, checkout.last_activity_at + delay))
    return due


def orders_arrived(workspace_id: int, records: list[dict]) -> None:
    """Orders just written that name a checkout: link it and cancel its queued reminder."""
    named = [r for r in records if r.get("checkout_token") or r.get("checkout_id")]
    if not named:
        return
    tokens = [r["checkout_token"] for r in named if r.get("checkout_token")]
    ids = [r["checkout_id"] for r in named if r.get("checkout_id")]
    stmt = select(Checkout).where(
        Checkout.workspace_id == workspace_id,
        Checkout.order_id.is_(None),
        or_(Checkout.token.in_(tokens), Checkout.shopify_checkout_id.in_(ids)),
    )
    for checkout in db.session.scalars(stmt):
        order = _order_for(checkout)
        if order is not None:
            _link(checkout, order)


def schedule_due(due: list[tuple[int, datetime]]) -> None:
    """After the commit: one `messaging.checkout_due` job per checkout at its due time (moved when re-run)."""
    for checkout_id, at in due:
        enqueue_at("messaging.checkout_due", at, checkout_id, job_id=f"checkout-due-{checkout_id}")


# --- deciding and queueing -------------------------------------------------------------------------------


def _values(checkout: Checkout) -> dict:
    total = (
        f"{checkout.total_price} {checkout.currency or ''}".strip()
        if checkout.total_price is not None
        else None
    )
    first = (checkout.customer_name or "").split(" ")[0] or None
    return {"customer_name": first, "checkout_url": checkout.recovery_url, "checkout_total": total,
            "items": checkout.line_items_summary}  # fmt: skip


def _decide(checkout: Checkout, settings: Automation) -> str | None:
    """Queue the reminder of a due checkout, or record why not; None when it must wait (no approved template)."""
    order = _order_for(checkout)
    if order is not None:
        _link(checkout, order)
        return "ordered"
    template = approved(checkout.workspace_id, settings.template_name, settings.language)
    if template is None:
        return None
    customer = customer_for(
        checkout.workspace_id, wa_id=digits(checkout.customer_phone), name=checkout.customer_name
    )
    if customer is None or not checkout.recovery_url:
        checkout.reminder_status = "refused"
        return "refused"
    parameters = body_parameters(template, _values(checkout), KINDS[KIND][1])
    message = template_message(template.name, template.language,
                               [{"type": "body", "parameters": parameters}] if parameters else None)  # fmt: skip
    category = template.category if template.category in ("marketing", "utility") else "marketing"
    queued = queue_message(customer, event_key(checkout), message, category=category)
    if queued.id is None:
        log.info("checkout %s: no reminder (%s)", checkout.id, queued.refused)
        checkout.reminder_status = "refused"
        return "refused"
    checkout.reminder_status, checkout.reminder_outbox_id = "queued", queued.id
    return "queued"


def remind_due(workspace_id: int, now: datetime | None = None, only: int | None = None) -> int:
    """Decide every due, undecided checkout of the workspace (or the one `only`), in batches. Commits."""
    settings = automation(workspace_id, KIND)
    if settings is None or not settings.enabled:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(minutes=settings.delay_minutes)
    stmt = (
        select(Checkout)
        .where(Checkout.workspace_id == workspace_id, Checkout.reminder_status.is_(None),
               Checkout.completed_at.is_(None), Checkout.order_id.is_(None),
               and_(Checkout.last_activity_at <= cutoff, Checkout.last_activity_at >= cutoff - CATCH_UP))
        .order_by(Checkout.last_activity_at, Checkout.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )  # fmt: skip
    if only is not None:
        stmt = stmt.where(Checkout.id == only)
    queued = 0
    while True:
        batch = list(db.session.scalars(stmt))
        waiting = 0
        for checkout in batch:
            outcome = _decide(checkout, settings)
            queued += outcome == "queued"
            waiting += outcome is None
        db.session.commit()  # wakes the queued rows' senders
        if waiting or len(batch) < BATCH:
            return queued


def checkout_due(checkout_id: int) -> int:
    """The job scheduled for a checkout's due time: decide it if it is due (a postponed one is not yet)."""
    checkout = db.session.get(Checkout, checkout_id)
    if checkout is None:
        return 0
    return remind_due(checkout.workspace_id, only=checkout_id)


def sweep_checkouts() -> int:
    """The minute sweep: every workspace with the automation on. Returns how many reminders were queued."""
    workspaces = db.session.scalars(
        select(Automation.workspace_id).where(Automation.kind == KIND, Automation.enabled.is_(True))
    ).all()
    return sum(remind_due(ws) for ws in workspaces)


def reminder_obsolete(row: OutboxMessage) -> str | None:
    """Why a claimed checkout reminder must not go out now (its order arrived meanwhile), else None."""
    if not row.event_key.startswith(EVENT_PREFIX):
        return None
    checkout = db.session.scalars(select(Checkout).where(Checkout.reminder_outbox_id == row.id)).first()
    if checkout is None:
        return None
    if checkout.order_id is not None or checkout.completed_at is not None or _order_for(checkout) is not None:
        return "The checkout's order arrived."
    return None
