"""What a Shopify order or fulfillment written by a webhook means for WhatsApp follow-up.

`after_orders` runs in the webhook's transaction right after the orders are upserted: it records the
customer's Shopify marketing consent, queues the order-confirmation automation and links (and stops the
reminder of) the checkout the order completed; `after_fulfillment` queues the shipped and delivered
automations. Both read the stored rows back (the newest version won there) and are safe to run for
every re-delivery: the outbox's unique key decides.
"""

from __future__ import annotations

from app.messaging.automations import FULFILLMENT_KINDS, automation, fulfillment_written, order_paid
from app.messaging.checkouts import orders_arrived
from app.messaging.customers import note_shopify_consent


def after_orders(workspace_id: int, records: list[dict], topic: str | None = None) -> None:
    """One query for a batch when the automation is off (consent only reads when Shopify says subscribed)."""
    settings = automation(workspace_id, "order_confirmation")
    for record in records:
        note_shopify_consent(
            workspace_id, record.get("customer_phone"), record.get("customer_name"),
            record.get("sms_marketing_consent"),
        )  # fmt: skip
        if settings is not None and settings.enabled:
            order_paid(workspace_id, record["external_id"])
    orders_arrived(workspace_id, records)


def after_fulfillment(workspace_id: int, record: dict) -> None:
    kinds = tuple(
        k for k in FULFILLMENT_KINDS if (a := automation(workspace_id, k)) is not None and a.enabled
    )
    if kinds:
        fulfillment_written(workspace_id, record.get("order_id"), record["shopify_fulfillment_id"], kinds)
