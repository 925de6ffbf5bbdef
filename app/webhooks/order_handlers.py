"""Handlers for Shopify's fulfillment and refund topics: `fulfillments/create|update`, `refunds/create`.

Each body names its order (`order_id`); the fulfillment or refund lands through the sync's mapping and
`order_writer`, so a webhook and an orders sync store the same row. An order we do not hold yet is skipped
with a log line: its own orders/* delivery, or the next orders sync, brings it with its fulfillments and
refunds. Must not call Shopify.
"""

from __future__ import annotations

from app.messaging.orders import after_fulfillment
from app.sync.mapping import fulfillment_from_rest, refund_from_rest
from app.sync.order_writer import write_fulfillment, write_refund
from app.webhooks.delivery import Delivery

MISSING = "Order not synced yet; it comes with its order."


def fulfillment_upsert(d: Delivery) -> None:
    record = fulfillment_from_rest(d.body)
    record["updated_at"] = record["updated_at"] or d.triggered_at
    for integration in d.targets():
        outcome = write_fulfillment(integration.workspace_id, record)
        if outcome != "missing":
            after_fulfillment(integration.workspace_id, record)
        _log(d, integration, "fulfillment", record["shopify_fulfillment_id"], outcome)


def refund_create(d: Delivery) -> None:
    record = refund_from_rest(d.body)
    for integration in d.targets():
        outcome = write_refund(integration.workspace_id, record)
        _log(d, integration, "refund", record["shopify_refund_id"], outcome)


def _log(d: Delivery, integration, entity: str, entity_id: str, outcome: str) -> None:
    if outcome == "missing":
        d.log(
            integration.workspace_id, entity, entity_id, "skip", integration_id=integration.id, error=MISSING
        )
    else:
        d.log(integration.workspace_id, entity, entity_id, outcome, integration_id=integration.id)
