"""How far behind the webhook inbox is: its lag (the oldest waiting delivery's age) and its throughput, for the
Logs page, and the alert raised when the lag passes WEBHOOK_LAG_ALERT_SECONDS.

`inbox_stats(workspace_id)` reads one workspace's figures (two indexed queries). `alert_on_lag()` runs with
the minute sweep: one Alert per workspace whose oldest pending delivery is older than the threshold, not
repeated while that alert is open (undismissed). Read-only otherwise; no Redis, no HTTP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Alert, Webhook
from app.models.types import utcnow

log = logging.getLogger(__name__)
WAITING = ("pending", "processing")
THROUGHPUT_WINDOW = timedelta(minutes=1)
ALERT_SOURCE = "webhooks"
DEFAULT_THRESHOLD = 300


@dataclass
class InboxStats:
    waiting: int
    oldest_waiting_at: datetime | None
    processed_last_minute: int
    now: datetime

    @property
    def lag_seconds(self) -> float:
        return (
            max(0.0, (self.now - self.oldest_waiting_at).total_seconds()) if self.oldest_waiting_at else 0.0
        )

    @property
    def per_second(self) -> float:
        return self.processed_last_minute / THROUGHPUT_WINDOW.total_seconds()

    @property
    def behind(self) -> bool:
        return self.lag_seconds > threshold()


def threshold() -> int:
    return int(current_app.config.get("WEBHOOK_LAG_ALERT_SECONDS") or DEFAULT_THRESHOLD)


def inbox_stats(workspace_id: int) -> InboxStats:
    now = utcnow()
    waiting, oldest = db.session.execute(
        select(func.count(), func.min(Webhook.received_at)).where(
            Webhook.workspace_id == workspace_id, Webhook.status.in_(WAITING)
        )
    ).one()
    done = db.session.scalar(
        select(func.count()).where(
            Webhook.workspace_id == workspace_id,
            Webhook.processed_at.is_not(None),
            Webhook.processed_at >= now - THROUGHPUT_WINDOW,
        )
    )
    return InboxStats(waiting, oldest, done or 0, now)


def describe(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    return f"{seconds / 60:.0f} minutes"


def alert_on_lag() -> int:
    """Raise an Alert for each workspace whose oldest pending delivery waits longer than the threshold
    (unless one is open already). Returns how many were raised."""
    now = utcnow()
    cutoff = now - timedelta(seconds=threshold())
    behind = db.session.execute(
        select(Webhook.workspace_id, func.min(Webhook.received_at))
        .where(Webhook.status == "pending", Webhook.received_at < cutoff, Webhook.workspace_id.is_not(None))
        .group_by(Webhook.workspace_id)
    ).all()
    if not behind:
        return 0
    open_ = set(
        db.session.scalars(
            select(Alert.workspace_id).where(
                Alert.workspace_id.in_([w for w, _ in behind]),
                Alert.source == ALERT_SOURCE,
                Alert.dismissed_at.is_(None),
            )
        )
    )
    raised = 0
    for workspace_id, oldest in behind:
        if workspace_id in open_:
            continue
        waited = describe((now - oldest).total_seconds())
        message = (
            f"Shopify and Meta webhooks are waiting to be processed: the oldest has waited {waited} "
            f"(alert threshold {describe(threshold())}). Catalog, stock and order changes are delayed; "
            "check that the webhooks worker is running."
        )
        db.session.add(
            Alert(workspace_id=workspace_id, level="warning", source=ALERT_SOURCE, message=message)
        )
        log.warning(
            "webhook inbox of workspace %s is behind: oldest pending delivery waited %s", workspace_id, waited
        )
        raised += 1
    db.session.commit()
    return raised
