"""Recovered revenue: the orders that completed a checkout after its abandoned-checkout reminder was sent.

An order counts when it names a reminded checkout (linked, or by the checkout's token or id), was created at
or after the reminder went out, falls in [since, until) and is not cancelled; each order once, however many
ways it matches. Totals are per currency (a shop may sell in several). Read-only; no Flask, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Checkout, Order, OutboxMessage
from app.models.types import utcnow

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Recovered:
    count: int = 0
    totals: list[tuple[str, Decimal]] = field(default_factory=list)  # (currency, sum), largest first


def recovered_revenue(workspace_id: int, since: datetime, until: datetime) -> Recovered:
    matched = (
        select(Order.id, Order.currency, Order.total_price)
        .distinct()
        .select_from(Checkout)
        .join(OutboxMessage, OutboxMessage.id == Checkout.reminder_outbox_id)
        .join(
            Order,
            and_(
                Order.workspace_id == Checkout.workspace_id,
                or_(
                    Order.id == Checkout.order_id,
                    and_(Checkout.token.is_not(None), Order.checkout_token == Checkout.token),
                    Order.checkout_id == Checkout.shopify_checkout_id,
                ),
            ),
        )
        .where(
            Checkout.workspace_id == workspace_id,
            OutboxMessage.sent_at.is_not(None),
            Order.created_at >= OutboxMessage.sent_at,
            Order.created_at >= since,
            Order.created_at < until,
            Order.status != "cancelled",
        )
        .subquery()
    )
    rows = db.session.execute(
        select(matched.c.currency, func.count(), func.coalesce(func.sum(matched.c.total_price), 0))
        .group_by(matched.c.currency)
        .order_by(func.sum(matched.c.total_price).desc())
    ).all()
    totals = [(currency or "", Decimal(str(total)).quantize(Decimal("0.01"))) for currency, _n, total in rows]
    return Recovered(count=sum(n for _c, n, _t in rows), totals=totals)


def recovered_lately(workspace_id: int, days: int = DEFAULT_DAYS) -> Recovered:
    now = utcnow()
    return recovered_revenue(workspace_id, now - timedelta(days=days), now + timedelta(seconds=1))
