"""What the Messaging page shows: the synced templates, the outbox with statuses, and the automations.

Reads go through `WorkspaceScope`; saving an automation goes to `app.messaging.automations`. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.messaging import pricing
from app.messaging.automations import KINDS, automation, save_automation
from app.models import Automation, Customer, MessageTemplate, OutboxMessage
from app.models.messaging import OUTBOX_STATUSES
from app.models.scoping import WorkspaceScope

OUTBOX_LIMIT = 100


@dataclass
class AutomationView:
    kind: str
    title: str
    settings: Automation | None
    placeholders: tuple[str, ...]


def templates(scope: WorkspaceScope) -> list[MessageTemplate]:
    stmt = scope.select(MessageTemplate).order_by(MessageTemplate.name, MessageTemplate.language)
    return list(db.session.scalars(stmt))


def outbox(scope: WorkspaceScope, status: str | None = None) -> list[tuple[OutboxMessage, Customer]]:
    """The latest outbox rows (newest first) with their customer."""
    stmt = (
        select(OutboxMessage, Customer)
        .join(Customer, Customer.id == OutboxMessage.customer_id)
        .where(OutboxMessage.workspace_id == scope.workspace_id)
        .order_by(OutboxMessage.id.desc())
        .limit(OUTBOX_LIMIT)
    )
    if status in OUTBOX_STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    return [tuple(row) for row in db.session.execute(stmt).all()]


def prices(
    scope: WorkspaceScope, rows: list[tuple[OutboxMessage, Customer]]
) -> dict[int, tuple[str, object]]:
    """Each listed message's market and price (USD, the workspace's rate card), billed once delivered."""
    card = pricing.rate_card(scope.workspace_id)
    out = {}
    for message, customer in rows:
        market = pricing.market_for(customer.wa_id)
        category = message.category if message.category in card[market] else "service"
        out[message.id] = (market, card[market][category])
    return out


def outbox_counts(scope: WorkspaceScope) -> dict[str, int]:
    stmt = (
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.workspace_id == scope.workspace_id)
        .group_by(OutboxMessage.status)
    )
    return dict(db.session.execute(stmt).all())


def automations(scope: WorkspaceScope) -> list[AutomationView]:
    return [
        AutomationView(kind, title, automation(scope.workspace_id, kind), placeholders)
        for kind, (title, placeholders) in KINDS.items()
    ]


def save(scope: WorkspaceScope, kind: str, form) -> Automation:
    """Raises `AutomationRefused` (an AppError) with a message for the form."""
    return save_automation(
        scope.workspace_id, kind, enabled=form.get("enabled") in ("on", "1", "true"),
        template=form.get("template", ""), delay=form.get("delay_minutes", "0"),
    )  # fmt: skip
