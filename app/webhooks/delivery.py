"""What a webhook handler is given: the inbox row's facts, the parsed body, and two helpers.

`log()` writes the sync_log line every processed delivery leaves; `after_commit` collects work that must only run
once the delivery's rows are committed (enqueueing an agent reply). No platform calls, no commits here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select

from app.extensions import db
from app.models import Integration, SyncLog
from app.models.types import utcnow
from app.sync.mapping import parse_time


@dataclass
class Delivery:
    webhook_id: int
    platform: str
    topic: str
    workspace_id: int | None
    integration_id: int | None
    account_id: str | None
    headers: dict
    received_at: datetime
    body: dict
    #: Work that must see this delivery's rows committed (enqueueing an agent reply, ...).
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def triggered_at(self) -> datetime:
        """When the platform says the event happened (Shopify's X-Shopify-Triggered-At), else when it arrived.

        Never later than the arrival: a header time in the future would otherwise become a product's
        `source_updated_at` and make every real update after it look older (the product would freeze)."""
        try:
            said = parse_time(self.headers.get("X-Shopify-Triggered-At"))
        except ValueError:
            said = None
        return min(said, self.received_at) if said is not None else self.received_at

    def integrations(self, *, include_disconnected: bool = False) -> list[Integration]:
        """The integration the intake routed this delivery to, while it still holds the account (see
        `app.integrations.hold`): an account's deliveries go to that one workspace, never to another
        that merely has a row for it. Empty when nobody holds it, or the hold moved since it arrived."""
        if not self.integration_id or not self.account_id:
            return []
        stmt = select(Integration).where(
            Integration.id == self.integration_id,
            Integration.platform == self.platform,
            Integration.account_id == self.account_id,
            Integration.proved_at.is_not(None),
        )
        if not include_disconnected:
            stmt = stmt.where(Integration.status != "disconnected")
        return list(db.session.scalars(stmt))

    def targets(self) -> list[Integration]:
        """`integrations()`, with a `skip` line in the sync log when there is none to apply the delivery to."""
        targets = self.integrations()
        if not targets:
            self.log(
                self.workspace_id, "integration", self.integration_id or "-", "skip",
                error="No connected integration.",
            )  # fmt: skip
        return targets

    def log(self, workspace_id: int | None, entity_type: str, entity_id, action: str, *,
            integration_id: int | None = None, status: str = "success", error: str | None = None) -> None:  # fmt: skip
        if not workspace_id:
            return
        db.session.execute(
            insert(SyncLog),
            [{"workspace_id": workspace_id, "integration_id": integration_id or self.integration_id,
              "webhook_id": self.webhook_id, "entity_type": entity_type[:30], "entity_id": str(entity_id)[:100],
              "action": action, "status": status, "error_message": error, "created_at": utcnow()}],
        )  # fmt: skip
