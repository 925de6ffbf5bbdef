"""Server-drawn bar charts for the overview: one bar per day, stacked from one or more series, laid out as
plain SVG coordinates (no script). A negative value (a day with more refunds than sales) draws no bar; its
tooltip still says the figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT, TOP, BOTTOM = 560, 150, 10, 20
MAX_TICKS = 8


@dataclass
class Segment:
    series: str
    x: float
    y: float
    height: float
    value: object


@dataclass
class Day:
    day: date
    label: str
    segments: list[Segment]


@dataclass
class BarChart:
    days: list[Day]
    series: list[str]
    width: int
    height: int
    bar_width: float
    peak: object
    ticks: list[tuple[float, str]]

    @property
    def axis_y(self) -> int:
        return self.height - BOTTOM


def stacked_bars(days: list[date], series: dict[str, list]) -> BarChart:
    """`series` maps a name to one value per day (ints or Decimals), stacked in the order given."""
    n = max(len(days), 1)
    plot = HEIGHT - TOP - BOTTOM
    slot = WIDTH / n
    bar_width = max(slot * 0.7, 0.5)
    totals = [sum((max(v[i], 0) for v in series.values()), Decimal(0)) for i in range(len(days))]
    peak = max([*totals, 1])
    out = []
    for i, day in enumerate(days):
        x = round(i * slot + slot * 0.15, 2)
        base = TOP + plot
        segments = []
        for name, values in series.items():
            value = values[i]
            h = plot * float(max(value, 0)) / float(peak)
            base -= h
            segments.append(Segment(name, x, round(base, 2), round(h, 2), value))
        out.append(Day(day, day.strftime("%d %b"), segments))
    every = max(1, -(-len(days) // MAX_TICKS))
    ticks = [(d.segments[0].x if d.segments else 0, d.label) for k, d in enumerate(out) if k % every == 0]
    return BarChart(out, list(series), WIDTH, HEIGHT, round(bar_width, 2), peak, ticks)
