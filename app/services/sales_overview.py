"""The sales half of the overview for one period: the figures per currency with their per-day chart, and the
WhatsApp messages and their cost per day and category with theirs. Composes `sales`, `message_costs` and
`charts`; no queries of its own but the latest order's day, no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.models.messaging import CATEGORIES
from app.models.scoping import WorkspaceScope
from app.services.charts import BarChart, stacked_bars
from app.services.message_costs import MessageCosts, message_costs
from app.services.periods import Period
from app.services.sales import CurrencySales, latest_sale_day, sales


@dataclass
class SalesOverview:
    period: Period
    currencies: list[tuple[CurrencySales, BarChart]]
    messages: MessageCosts
    messages_chart: BarChart
    cost_chart: BarChart
    categories: tuple[str, ...] = CATEGORIES
    # With no orders in the period: the day of the latest one, so the page can offer the range that holds it.
    latest_day: date | None = None

    def latest_range(self) -> dict[str, str] | None:
        """The 30 days up to the latest order, as the range's query arguments."""
        if self.latest_day is None:
            return None
        first = self.latest_day - timedelta(days=29)
        return {"range": "custom", "from": first.isoformat(), "to": self.latest_day.isoformat()}


def sales_overview(scope: WorkspaceScope, period: Period) -> SalesOverview:
    per_currency = []
    for row in sales(scope, period):
        days = row.days(period)
        per_currency.append(
            (row, stacked_bars(period.days, {"revenue": [revenue for _, _, revenue in days]}))
        )
    costs = message_costs(scope, period)
    messages = stacked_bars(period.days, {c: [d.messages[c] for d in costs.days] for c in CATEGORIES})
    cost = stacked_bars(period.days, {c: [d.cost[c] for d in costs.days] for c in CATEGORIES})
    latest = None if per_currency else latest_sale_day(scope, period.tz)
    return SalesOverview(period, per_currency, costs, messages, cost, latest_day=latest)
