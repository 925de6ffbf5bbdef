"""Reading Shopify's abandoned checkouts with the Admin GraphQL `abandonedCheckouts` query: what a missed
`checkouts/*` webhook would have brought (and what existed before the app was installed).

`read_abandoned_checkouts(integration_id)` follows every page of the checkouts updated within the reminder's
reach (the delay plus `CATCH_UP`), each page written and committed before the next is asked for (no
transaction open across a Shopify call), then has the reminders scheduled like a webhook's.
`read_all_abandoned_checkouts` (every 15 minutes, `app.schedule`) queues it for each connected store of a
workspace with the automation on.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.integrations.clients import shopify_client
from app.messaging.automations import automation
from app.messaging.checkouts import CATCH_UP, KIND, after_checkouts, schedule_due
from app.models import Automation, Integration
from app.models.types import utcnow
from app.queues import QueueUnavailable, enqueue
from app.sync.checkout_mapping import checkout_from_graphql
from app.sync.checkout_writer import upsert_checkouts

log = logging.getLogger(__name__)


def search_since(delay_minutes: int) -> str:
    since = utcnow() - timedelta(minutes=delay_minutes) - CATCH_UP
    return f"updated_at:>='{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def read_abandoned_checkouts(integration_id: int) -> int:
    """Returns how many checkouts were read (every page)."""
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.platform != "shopify" or integration.status != "connected":
        return 0
    workspace_id = integration.workspace_id
    settings = automation(workspace_id, KIND)
    delay = settings.delay_minutes if settings is not None else 0
    client = shopify_client(integration)
    db.session.commit()
    read = 0
    for page in client.iter_abandoned_checkout_pages(search_since(delay)):
        records = [checkout_from_graphql(node) for node in page.nodes]
        written = upsert_checkouts(workspace_id, records, integration_id=integration_id)
        due = after_checkouts(workspace_id, records, written)
        db.session.commit()
        schedule_due(due)
        read += len(records)
    log.info("integration %s: %s abandoned checkouts read", integration_id, read)
    return read


def read_all_abandoned_checkouts() -> int:
    stmt = (
        select(Integration.id)
        .join(Automation, Automation.workspace_id == Integration.workspace_id)
        .where(Integration.platform == "shopify", Integration.status == "connected", Automation.kind == KIND,
               Automation.enabled.is_(True))
    )  # fmt: skip
    queued = 0
    for integration_id in db.session.scalars(stmt).all():
        try:
            enqueue("messaging.read_abandoned_checkouts", integration_id)
        except QueueUnavailable:
            return queued
        queued += 1
    return queued
