"""Sales over a period for the overview: revenue, orders, average order value and the sales made in chats
and by the agent, per currency (amounts in different currencies are never added together), by local day.

What counts, as Shopify's own sales reports count it:
- an order counts on the day it was placed, at its total: every Shopify order (cancelled ones too) and the
  local orders that were confirmed (`open` or `committed`; a `draft` is a cart holding stock, a cancelled
  local order never sold);
- a refund is taken off on the day it was issued (not the order's day), in its own currency;
- a Shopify order cancelled before it was paid (`voided`) is taken off on the day it was cancelled;
- revenue = order totals - refunds and voided cancellations; average order value = order totals / orders.
"From chats" are orders from WhatsApp or Messenger carts, "by the agent" those the agent's `create_order`
tool made (`source_platform` says which). Read-only; no Flask, no HTTP.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Order, OrderRefund
from app.models.scoping import WorkspaceScope
from app.services.periods import Period, slot

CHAT_SOURCES = ("whatsapp", "facebook")
AGENT_SOURCES = ("agent",)
SOLD_LOCAL_STATUSES = ("open", "committed")
ZERO = Decimal("0.00")


@dataclass
class Channel:
    orders: int = 0
    gross: Decimal = ZERO
    reversed: Decimal = ZERO

    @property
    def revenue(self) -> Decimal:
        return self.gross - self.reversed


@dataclass
class CurrencySales:
    currency: str  # "" when the orders named none
    all: Channel = field(default_factory=Channel)
    chats: Channel = field(default_factory=Channel)
    agent: Channel = field(default_factory=Channel)
    # local day -> [orders, revenue]
    by_day: dict[date, list] = field(default_factory=lambda: defaultdict(lambda: [0, ZERO]))

    @property
    def average_order(self) -> Decimal | None:
        if not self.all.orders:
            return None
        return (self.all.gross / self.all.orders).quantize(Decimal("0.01"))

    def days(self, period: Period) -> list[tuple[date, int, Decimal]]:
        return [(d, *self.by_day.get(d, (0, ZERO))) for d in period.days]


def _money(value) -> Decimal:
    # SQLite sums NUMERIC as floating point: back to cents.
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _counted():
    return or_(Order.source_platform == "shopify", Order.status.in_(SOLD_LOCAL_STATUSES))


def _channels(row: CurrencySales, source: str) -> list[Channel]:
    out = [row.all]
    if source in CHAT_SOURCES:
        out.append(row.chats)
    elif source in AGENT_SOURCES:
        out.append(row.agent)
    return out


def sales(scope: WorkspaceScope, period: Period) -> list[CurrencySales]:
    """Per currency (the one with most orders first: revenues in different currencies do not compare), the
    period's figures and its days."""
    result: dict[str, CurrencySales] = {}

    def row(currency) -> CurrencySales:
        key = (currency or "").upper()
        return result.setdefault(key, CurrencySales(key))

    ws = scope.workspace_id
    placed = slot(Order.created_at)
    orders = db.session.execute(
        select(placed, Order.currency, Order.source_platform, func.count(),
               func.coalesce(func.sum(Order.total_price), 0))
        .where(Order.workspace_id == ws, Order.created_at >= period.start, Order.created_at < period.end,
               _counted())
        .group_by(placed, Order.currency, Order.source_platform)
    ).all()  # fmt: skip
    for at, currency, source, n, total in orders:
        r, total = row(currency), _money(total)
        for channel in _channels(r, source):
            channel.orders += n
            channel.gross += total
        day = r.by_day[period.local_day(at)]
        day[0] += n
        day[1] += total

    issued = slot(OrderRefund.created_at)
    refund_currency = func.coalesce(OrderRefund.currency, Order.currency)
    refunds = db.session.execute(
        select(issued, refund_currency, Order.source_platform, func.coalesce(func.sum(OrderRefund.amount), 0))
        .join(Order, Order.id == OrderRefund.order_id)
        .where(Order.workspace_id == ws, OrderRefund.created_at >= period.start,
               OrderRefund.created_at < period.end)
        .group_by(issued, refund_currency, Order.source_platform)
    ).all()  # fmt: skip
    cancelled = slot(Order.cancelled_at)
    voided = db.session.execute(
        select(cancelled, Order.currency, Order.source_platform, func.coalesce(func.sum(Order.total_price), 0))
        .where(Order.workspace_id == ws, Order.source_platform == "shopify",
               and_(Order.cancelled_at >= period.start, Order.cancelled_at < period.end),
               func.lower(Order.financial_status) == "voided")
        .group_by(cancelled, Order.currency, Order.source_platform)
    ).all()  # fmt: skip
    for at, currency, source, amount in [*refunds, *voided]:
        r, amount = row(currency), _money(amount)
        for channel in _channels(r, source):
            channel.reversed += amount
        r.by_day[period.local_day(at)][1] -= amount
    return sorted(result.values(), key=lambda r: (-r.all.orders, r.currency))


def latest_sale_day(scope: WorkspaceScope, tz) -> date | None:
    """The day (in `tz`) of the workspace's latest counted order: what a range holding none can point to."""
    latest = db.session.scalar(
        select(func.max(Order.created_at)).where(Order.workspace_id == scope.workspace_id, _counted())
    )
    if latest is None:
        return None
    if latest.tzinfo is None:  # SQLite hands MAX() back as it stored it
        latest = latest.replace(tzinfo=UTC)
    return latest.astimezone(tz).date()
