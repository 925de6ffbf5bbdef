"""The overview page's numbers: counts, integrations with their running sync, open alerts, and the 14-day
activity chart (sync runs and webhook deliveries per day, one aggregate query each, drawn as plain SVG).

Counts and the chart are exact aggregates, so they cost more as a workspace grows (about 0.1 s for 100,000
rows each on Postgres); when one took long it is kept in Redis for CACHE_SECONDS per workspace (small
workspaces always see fresh numbers), and computed directly when Redis is away.
Read-only except `dismiss_alert`. No Flask request objects, no HTTP.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter

from redis.exceptions import RedisError
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Alert, Integration, Order, Product, SyncRun, Webhook
from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.queues import get_redis

CHART_DAYS = 14
ALERT_LIMIT = 10
RUNNING = ("queued", "in_progress")


CACHE_SECONDS = 20
CACHE_WHEN_SLOWER_THAN = 0.02  # seconds


def _cache_key(workspace_id: int, name: str) -> str:
    return f"overview:{workspace_id}:{name}"


def _cached(workspace_id: int, name: str, compute):
    """`compute()` (JSON-safe). When computing took long (a big workspace), the answer is kept for CACHE_SECONDS;
    a small workspace always sees fresh numbers. A Redis outage only costs the speed-up."""
    key = _cache_key(workspace_id, name)
    try:
        raw = get_redis().get(key)
    except RedisError:
        return compute()
    if raw is not None:
        return json.loads(raw)
    started = perf_counter()
    value = compute()
    if perf_counter() - started >= CACHE_WHEN_SLOWER_THAN:
        with contextlib.suppress(RedisError):
            get_redis().set(key, json.dumps(value), ex=CACHE_SECONDS)
    return value


def forget_counts(workspace_id: int) -> None:
    """After a change the merchant just made (a retry), show fresh numbers rather than cached ones."""
    with contextlib.suppress(RedisError):
        redis = get_redis()
        for key in redis.scan_iter(match=_cache_key(workspace_id, "counts") + "*"):
            redis.delete(key)


def counts(scope: WorkspaceScope) -> dict[str, int]:
    # Keyed by the workspace's latest sync run and its state: counts cached before a sync finished (the
    # demo's first minute: 0 orders) are not shown after it.
    latest = db.session.execute(
        select(SyncRun.id, SyncRun.status)
        .where(SyncRun.workspace_id == scope.workspace_id)
        .order_by(SyncRun.id.desc())
        .limit(1)
    ).first()
    stamp = f"counts:{latest.id}:{latest.status}" if latest else "counts"
    return _cached(scope.workspace_id, stamp, lambda: _counts(scope))


def _counts(scope: WorkspaceScope) -> dict[str, int]:
    webhook_states = dict(
        db.session.execute(
            select(Webhook.status, func.count())
            .where(Webhook.workspace_id == scope.workspace_id, Webhook.status.in_(("pending", "failed")))
            .group_by(Webhook.status)
        ).all()
    )
    return {
        "products": scope.count(Product, Product.deleted_at.is_(None)),
        "orders": scope.count(Order),
        "pending_webhooks": webhook_states.get("pending", 0),
        "failed_webhooks": webhook_states.get("failed", 0),
    }


def integrations_with_runs(scope: WorkspaceScope) -> list[tuple[Integration, SyncRun | None]]:
    """Each integration with its newest queued or running sync (None when idle)."""
    integrations = list(
        db.session.scalars(scope.select(Integration).order_by(Integration.platform, Integration.id))
    )
    running: dict[int, SyncRun] = {}
    for run in db.session.scalars(scope.select(SyncRun, SyncRun.status.in_(RUNNING)).order_by(SyncRun.id)):
        running[run.integration_id] = run  # ascending: the newest wins
    return [(i, running.get(i.id)) for i in integrations]


def open_alerts(scope: WorkspaceScope, limit: int = ALERT_LIMIT) -> list[Alert]:
    stmt = scope.select(Alert, Alert.dismissed_at.is_(None)).order_by(
        Alert.created_at.desc(), Alert.id.desc()
    )
    return list(db.session.scalars(stmt.limit(limit)))


def dismiss_alert(scope: WorkspaceScope, alert_id) -> bool:
    """Dismiss one of the workspace's alerts; False when it is not ours (or does not exist)."""
    alert = scope.get(Alert, alert_id)
    if alert is None:
        return False
    if alert.dismissed_at is None:
        db.session.execute(update(Alert).where(Alert.id == alert.id).values(dismissed_at=utcnow()))
    db.session.commit()
    return True


# --- the chart ---------------------------------------------------------------------------------------------


def _day(column):
    """The UTC calendar day of a timestamp column, as the backend writes it (a date or 'YYYY-MM-DD')."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC text


def _per_day(model, column, workspace_id: int, since: datetime) -> dict[str, int]:
    day = _day(column)
    rows = db.session.execute(
        select(day, func.count()).where(model.workspace_id == workspace_id, column >= since).group_by(day)
    ).all()
    return {str(d)[:10]: n for d, n in rows}


@dataclass
class Bar:
    x: float
    y: float
    height: float
    value: int


@dataclass
class ChartDay:
    day: date
    label: str
    runs: Bar
    webhooks: Bar


@dataclass
class Chart:
    days: list[ChartDay]
    width: int
    height: int
    bar_width: float
    max_value: int
    total_runs: int
    total_webhooks: int


def activity_chart(scope: WorkspaceScope, today: date | None = None, days: int = CHART_DAYS) -> Chart:
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time(), UTC)
    runs, hooks = _cached(
        scope.workspace_id,
        f"chart:{first.isoformat()}:{days}",
        lambda: [
            _per_day(SyncRun, SyncRun.created_at, scope.workspace_id, since),
            _per_day(Webhook, Webhook.received_at, scope.workspace_id, since),
        ],
    )
    width, height, top, bottom = 560, 150, 10, 20
    plot = height - top - bottom
    slot = width / days
    bar_width = slot * 0.36
    peak = max([*runs.values(), *hooks.values(), 1])
    out = []
    for n in range(days):
        day = first + timedelta(days=n)
        key = day.isoformat()
        x = n * slot + slot * 0.1
        bars = []
        for offset, value in ((0, runs.get(key, 0)), (bar_width, hooks.get(key, 0))):
            h = plot * value / peak
            bars.append(Bar(round(x + offset, 1), round(top + plot - h, 1), round(h, 1), value))
        out.append(ChartDay(day, day.strftime("%d %b"), bars[0], bars[1]))
    return Chart(out, width, height, round(bar_width, 1), peak, sum(runs.values()), sum(hooks.values()))
