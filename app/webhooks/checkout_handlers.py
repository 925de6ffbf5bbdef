"""Handlers for Shopify's `checkouts/create` and `checkouts/update` topics.

The REST body lands through the sync's checkout mapping and writer (newest `updated_at` wins), then WhatsApp
follow-up sees it (consent, a queued reminder postponed or cancelled) and, once committed, the checkout's
reminder is scheduled for its due time. Must not call Shopify.
"""

from __future__ import annotations

from functools import partial

from app.messaging.checkouts import after_checkouts, schedule_due
from app.sync.checkout_mapping import checkout_from_rest
from app.sync.checkout_writer import upsert_checkouts
from app.webhooks.delivery import Delivery


def checkout_upsert(d: Delivery) -> None:
    record = checkout_from_rest(d.body)
    record["last_activity_at"] = record["last_activity_at"] or d.triggered_at
    for integration in d.targets():
        written = upsert_checkouts(integration.workspace_id, [record], integration_id=integration.id)
        due = after_checkouts(integration.workspace_id, [record], written)
        if due:
            d.after_commit.append(partial(schedule_due, due))
        d.log(integration.workspace_id, "checkout", record["shopify_checkout_id"],
              "update" if written else "skip", integration_id=integration.id,
              error=None if written else "An older version of the checkout; ignored.")  # fmt: skip
