"""The drift audit as a job: find, repair, find again, and keep the result on the integration.

`audit_integration(integration_id)` (RQ job `sync.audit`; also `flask sync <id> --audit` and the integration
card's button) compares the store with its rows (`audit`), re-creates lost webhook subscriptions and repairs
the differing products (`audit_repair`), audits again, and stores
`integration.config["audit"] = {at, found, remaining, repaired, counts, webhooks_restored}`: `found` is what
the first pass saw, `remaining` what is still different after the repair (the card's count). Safe to run
twice: a second run finds nothing to repair. It leaves a store alone while one of its sync runs is active
(rows in flight would read as drift); the next audit sees it. `nightly_audits()` enqueues one per connected Shopify store.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.extensions import db
from app.integrations.clients import shopify_client
from app.models import Integration
from app.models.types import utcnow
from app.platforms.errors import PlatformError
from app.queues import enqueue, safe_retry
from app.sync import audit, audit_repair
from app.sync.locations import sync_locations
from app.sync.service import active_run

log = logging.getLogger(__name__)


class AuditError(Exception):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message, self.status = message, status


def _find(integration: Integration, client) -> tuple[list[dict], dict]:
    shop = audit.shop_state(client)
    mine = audit.db_state(integration.id)
    return audit.differences(shop, mine), {"shop": audit.counts(shop), "database": audit.counts(mine)}


def audit_integration(integration_id: int, repair: bool = True) -> dict:
    integration = db.session.get(Integration, integration_id)
    if integration is None or integration.platform != "shopify" or integration.status != "connected":
        log.info("integration %s: not a connected Shopify store, audit skipped", integration_id)
        return {"skipped": "not connected"}
    if active_run(integration_id) is not None:
        log.info("integration %s: a sync is running, audit skipped", integration_id)
        return {"skipped": "sync running"}
    client = shopify_client(integration)
    found, counts = _find(integration, client)
    db.session.rollback()
    try:
        restored = audit_repair.restore_webhooks(integration, client)
        webhooks_error = None
    except PlatformError as exc:
        restored, webhooks_error = [], exc.merchant_message
        log.warning("integration %s: webhook subscriptions not checked: %s", integration_id, exc)
    remaining, repaired = found, {}
    if repair and any(d["kind"] in audit.REPAIRABLE_KINDS for d in found):
        repaired = audit_repair.repair_products(integration, client, found)
        orders = audit_repair.repair_orders(integration, client, found)
        if any(d["kind"] == "stock" for d in found):
            # On hand is summed over the store's locations: a stock difference is repaired at its levels.
            sync_locations(client, integration.workspace_id, integration.id)
        repaired = {"refetched": repaired["refetched"], "deleted": repaired["deleted"],
                    "orders_refetched": orders["refetched"], "failed": repaired["failed"] + orders["failed"]}  # fmt: skip
        remaining, counts = _find(integration, client)
        db.session.rollback()
    integration = db.session.get(Integration, integration_id)
    result = {"at": utcnow().isoformat(), "found": found, "remaining": remaining, "repaired": repaired,
              "counts": counts, "webhooks_restored": restored, "webhooks_error": webhooks_error}  # fmt: skip
    integration.config = {**(integration.config or {}), "audit": result}
    db.session.commit()
    log.info("integration %s: drift audit found %d, %d remain", integration_id, len(found), len(remaining))
    return result


def last_audit(integration: Integration) -> dict | None:
    return (integration.config or {}).get("audit")


def start_audit(integration: Integration) -> None:
    """The card's button: queue an audit of this store (refused unless it is a connected Shopify store)."""
    if integration.platform != "shopify" or integration.status != "connected":
        raise AuditError("Only a connected Shopify store can be audited.")
    if active_run(integration.id) is not None:
        raise AuditError("A sync of this store is running: audit it when the sync has finished.")
    enqueue("sync.audit", integration.id, retry=safe_retry())


def nightly_audits() -> dict[str, int]:
    ids = db.session.scalars(
        select(Integration.id).where(Integration.platform == "shopify", Integration.status == "connected")
    ).all()
    for integration_id in ids:
        enqueue("sync.audit", integration_id, retry=safe_retry())
    return {"enqueued": len(ids)}
