"""The sales half of the overview for one period: the figures per currency with their per-day chart, and the
WhatsApp messages and their cost per day and category with theirs. Composes `sales`, `message_costs` and
`charts`; no queries of its own, no Flask."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.messaging import CATEGORIES
from app.models.scoping import WorkspaceScope
from app.services.charts import BarChart, stacked_bars
from app.services.message_costs import MessageCosts, message_costs
from app.services.periods import Period
from app.services.sales import CurrencySales, sales


@dataclass
class SalesOverview:
    period: Period
    currencies: list[tuple[CurrencySales, BarChart]]
    messages: MessageCosts
    messages_chart: BarChart
    cost_chart: BarChart
    categories: tuple[str, ...] = CATEGORIES


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
    return SalesOverview(period, per_currency, costs, messages, cost)
