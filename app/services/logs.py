"""What happened, for the Logs pages: sync runs, the sync_log audit trail, the webhook inbox and compliance
requests, each filtered and paged newest first, plus Retry for a failed webhook delivery.

Reads go through the workspace scope. Retrying is the webhooks package's job (`app.webhooks.jobs`); this module
only asks it. No Flask request objects, no HTTP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import defer

from app.extensions import db
from app.models import ComplianceRequest, Integration, SyncLog, SyncRun, Webhook
from app.models.scoping import WorkspaceScope
from app.models.sync import LOG_ACTIONS, RUN_STATUSES
from app.models.webhooks import WEBHOOK_STATUSES
from app.params import parse_id
from app.services.keyset import Page, paginate, per_page_from
from app.services.overview import forget_counts
from app.services.refused import Refused
from app.webhooks.jobs import retry_webhook
from app.webhooks.lag import describe, inbox_stats

LOG_STATUSES = ("success", "error")
ENTITY_TYPES = ("product", "variant", "order", "inventory", "category")
RETRYABLE = ("failed",)


class RetryRefused(Refused):
    """The delivery cannot be retried now."""


def _choice(value, allowed) -> str | None:
    return value if value in allowed else None


def _text(value, limit: int = 100) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


@dataclass
class LogFilters:
    """Every filter the Logs pages know; each page reads the ones it shows."""

    integration: int | None = None
    run: int | None = None
    entity_type: str | None = None
    action: str | None = None
    status: str | None = None
    platform: str | None = None
    topic: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args, statuses=()) -> LogFilters:
        return cls(
            integration=parse_id(args.get("integration"), "integration"), run=parse_id(args.get("run"), "run"),
            entity_type=_text(args.get("entity_type"), 30), action=_choice(args.get("action"), LOG_ACTIONS),
            status=_choice(args.get("status"), statuses), platform=_text(args.get("platform"), 20),
            topic=_text(args.get("topic")),
        )  # fmt: skip

    def as_args(self) -> dict[str, str]:
        names = ("integration", "run", "entity_type", "action", "status", "platform", "topic")
        return {n: str(getattr(self, n)) for n in names if getattr(self, n) is not None}


def integrations(scope: WorkspaceScope) -> list:
    """(id, platform, display_name, account_id) rows for the filter and names; never the encrypted secrets."""
    stmt = (
        select(Integration.id, Integration.platform, Integration.display_name, Integration.account_id)
        .where(Integration.workspace_id == scope.workspace_id)
        .order_by(Integration.platform, Integration.id)
    )
    return list(db.session.execute(stmt))


def _matching(f: LogFilters, **columns) -> list:
    """`column == value` for each filter that is set, e.g. `_matching(f, integration=SyncRun.integration_id)`."""
    return [column == getattr(f, name) for name, column in columns.items() if getattr(f, name)]


def sync_runs(scope: WorkspaceScope, f: LogFilters, cursor=None, per_page=None) -> Page:
    criteria = _matching(f, integration=SyncRun.integration_id, status=SyncRun.status)
    return paginate(
        scope.select(SyncRun, *criteria), SyncRun.created_at, SyncRun.id, cursor, per_page_from(per_page)
    )


def sync_logs(scope: WorkspaceScope, f: LogFilters, cursor=None, per_page=None) -> Page:
    criteria = _matching(
        f, integration=SyncLog.integration_id, run=SyncLog.sync_run_id, entity_type=SyncLog.entity_type,
        action=SyncLog.action, status=SyncLog.status,
    )  # fmt: skip
    return paginate(
        scope.select(SyncLog, *criteria), SyncLog.created_at, SyncLog.id, cursor, per_page_from(per_page)
    )


def webhooks(scope: WorkspaceScope, f: LogFilters, cursor=None, per_page=None) -> Page:
    criteria = _matching(
        f, integration=Webhook.integration_id, platform=Webhook.platform, topic=Webhook.topic,
        status=Webhook.status,
    )  # fmt: skip
    # The big table: only the columns a row shows, never the payloads of 50 deliveries.
    stmt = scope.select(Webhook, *criteria).options(*_list_columns())
    return paginate(stmt, Webhook.received_at, Webhook.id, cursor, per_page_from(per_page))


def inbox_health(scope: WorkspaceScope):
    """The workspace's inbox lag and throughput (`app.webhooks.lag.InboxStats`) for the Webhooks page."""
    return inbox_stats(scope.workspace_id)


def describe_wait(seconds: float) -> str:
    return describe(seconds)


def _list_columns():
    return defer(Webhook.payload, raiseload=True), defer(Webhook.headers, raiseload=True)


def get_webhook(scope: WorkspaceScope, webhook_id) -> Webhook | None:
    return scope.get(Webhook, webhook_id)


def pretty_payload(webhook: Webhook) -> str:
    """Indented JSON for reading; a body that is not JSON is shown as it came (templates escape it)."""
    try:
        return json.dumps(json.loads(webhook.payload), indent=2, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return webhook.payload or ""


def retry(scope: WorkspaceScope, webhook: Webhook) -> Webhook:
    """Send a failed delivery through processing again (queued; the row shows `pending` until it runs)."""
    if webhook.workspace_id != scope.workspace_id:
        raise RetryRefused("Webhook not found.", 404)
    if webhook.status not in RETRYABLE:
        raise RetryRefused(f"Only failed deliveries can be retried; this one is {webhook.status}.")
    if not retry_webhook(webhook):
        raise RetryRefused("This delivery changed meanwhile and cannot be retried now; reload the page.")
    forget_counts(scope.workspace_id)
    db.session.refresh(webhook)
    return webhook


def compliance_requests(scope: WorkspaceScope, cursor=None, per_page=None) -> Page:
    # The request body holds customer details the list does not show.
    stmt = scope.select(ComplianceRequest).options(defer(ComplianceRequest.request, raiseload=True))
    return paginate(stmt, ComplianceRequest.created_at, ComplianceRequest.id, cursor, per_page_from(per_page))


def compliance_export(scope: WorkspaceScope, request_id) -> ComplianceRequest | None:
    row = scope.get(ComplianceRequest, request_id)
    if row is None or row.export is None:
        return None
    return row


STATUS_CHOICES = {"runs": RUN_STATUSES, "entries": LOG_STATUSES, "webhooks": WEBHOOK_STATUSES}
