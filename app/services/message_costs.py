"""WhatsApp messages sent per local day and what they cost, per category, for the overview.

A message counts on the day it was sent (`sent_at`) once Meta took it (sent, delivered or read); it costs its
market's rate for its category once delivered (Meta bills delivered messages). The market comes from the first
three digits of the customer's number (country calling codes are at most three digits and none is the start of
another), so the query groups by those digits rather than by customer. Prices come from the workspace's rate
card (`app.messaging.pricing`), in its currency (USD). Read-only; no Flask, no HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.messaging import pricing
from app.models import Customer, OutboxMessage
from app.models.messaging import CATEGORIES
from app.models.scoping import WorkspaceScope
from app.services.periods import Period, slot

SENT = ("sent", "delivered", "read")
BILLED = ("delivered", "read")


def _zeros(value):
    return {c: value for c in CATEGORIES}


@dataclass
class MessageDay:
    day: date
    messages: dict[str, int] = field(default_factory=lambda: _zeros(0))
    cost: dict[str, Decimal] = field(default_factory=lambda: _zeros(Decimal(0)))

    @property
    def total_messages(self) -> int:
        return sum(self.messages.values())

    @property
    def total_cost(self) -> Decimal:
        return sum(self.cost.values(), Decimal(0))


@dataclass
class MessageCosts:
    days: list[MessageDay]
    currency: str = pricing.CARD_CURRENCY

    def messages(self, category: str | None = None) -> int:
        return sum(d.messages[category] if category else d.total_messages for d in self.days)

    def cost(self, category: str | None = None) -> Decimal:
        return sum((d.cost[category] if category else d.total_cost for d in self.days), Decimal(0))


def message_costs(scope: WorkspaceScope, period: Period) -> MessageCosts:
    days = {d: MessageDay(d) for d in period.days}
    sent = slot(OutboxMessage.sent_at)
    prefix = func.substr(Customer.wa_id, 1, 3)
    rows = db.session.execute(
        select(sent, OutboxMessage.category, prefix, OutboxMessage.status, func.count())
        .join(Customer, Customer.id == OutboxMessage.customer_id)
        .where(OutboxMessage.workspace_id == scope.workspace_id, OutboxMessage.status.in_(SENT),
               OutboxMessage.sent_at >= period.start, OutboxMessage.sent_at < period.end)
        .group_by(sent, OutboxMessage.category, prefix, OutboxMessage.status)
    ).all()  # fmt: skip
    card = pricing.rate_card(scope.workspace_id)
    for at, category, digits, status, n in rows:
        day = days.get(period.local_day(at))
        category = category if category in CATEGORIES else "service"
        if day is None:
            continue
        day.messages[category] += n
        if status in BILLED:
            day.cost[category] += card[pricing.market_for(digits)][category] * n
    return MessageCosts(list(days.values()))
