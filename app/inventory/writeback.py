"""The Shopify write-back: apply pending `InventoryAdjustment` rows with `inventoryAdjustQuantities`.

Shopify (2026-04 and later) requires `@idempotent(key:)` and `changeFromQuantity` on every change:
- the key is stored on the adjustment and sent unchanged on every retry of that change, so a job that runs
  twice, or retries after a timeout, never moves stock twice (Shopify answers the first result again);
- `changeFromQuantity` is the quantity we expect Shopify to hold (stored with the key, because the same key
  with different input is refused). `CHANGE_FROM_QUANTITY_STALE` means someone else moved the stock: re-read
  the level, store the new expectation under a NEW key (compare-and-set on the row, so two workers agree), send;
- `IDEMPOTENCY_KEY_PARAMETER_MISMATCH` is a bug on our side: logged at error level, the adjustment fails.

Jobs take ids and are safe to run twice. No transaction is held open while Shopify is called. The location
written to is `integration.config["location_id"]` (one location per shop; the first inventory webhook stores
it, or the connect flow does). Without a connected store or location the change waits, with a note, and the
minute sweep (`retry_pending_write_backs`) sends it later. Must not decide stock: `service` does that.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update

from app.extensions import db
from app.integrations.clients import shopify_client
from app.models import Integration, InventoryAdjustment, ProductVariant, SyncLog
from app.models.types import utcnow
from app.platforms.errors import (
    PlatformError,
    ShopifyAuthError,
    ShopifyIdempotencyMismatch,
    ShopifyStaleQuantity,
)
from app.queues import QueueUnavailable, enqueue

log = logging.getLogger(__name__)

MAX_STALE_ROUNDS = 3  # per run; stock that keeps moving is retried by the next sweep
MAX_ATTEMPTS = 10  # sends over all runs before a change is given up as failed
SWEEP_AFTER = timedelta(minutes=1)  # leave fresh changes to the job their commit enqueued
SWEEP_BATCH = 500
# Our reasons -> Shopify's InventoryAdjustQuantitiesInput.reason values.
SHOPIFY_REASONS = {"sale": "correction", "restock": "restock"}
NO_STORE = "Waiting for a connected Shopify store; it will be sent once the store is connected."
NO_LOCATION = "Waiting for the Shopify location to write to (integration config 'location_id')."


def shopify_integration(workspace_id: int) -> Integration | None:
    stmt = (
        select(Integration)
        .where(
            Integration.workspace_id == workspace_id,
            Integration.platform == "shopify",
            Integration.status == "connected",
        )
        .order_by(Integration.id)
    )
    return db.session.scalars(stmt).first()


def enqueue_write_back(adjustment_ids: list[int]):
    """Queue the write-back after the stock change committed; with Redis down the minute sweep sends it."""
    ids = sorted(set(adjustment_ids))
    if not ids:
        return None
    try:
        return enqueue("inventory.write_back", ids)
    except QueueUnavailable:
        log.warning("write-back of adjustments %s not queued (Redis down); the sweep will send them", ids)
        return None


def write_back_adjustments(adjustment_ids: list[int]) -> dict[str, int]:
    """The job: send each pending adjustment to Shopify. Returns counts by outcome."""
    outcomes: Counter[str] = Counter()
    for adjustment_id in sorted(set(adjustment_ids)):
        try:
            outcomes[_write_back_one(adjustment_id)] += 1
        except Exception:  # one broken change must not hold back the others
            db.session.rollback()
            log.exception("write-back of adjustment %s crashed", adjustment_id)
            outcomes["error"] += 1
    return dict(outcomes)


def _write_back_one(adjustment_id: int) -> str:
    adjustment = db.session.get(InventoryAdjustment, adjustment_id)
    if adjustment is None or adjustment.status != "pending":
        return "skipped"
    variant = db.session.get(ProductVariant, adjustment.variant_id) if adjustment.variant_id else None
    if variant is None or not variant.inventory_item_id:
        return _finish(adjustment, "failed", "The variant is gone or not linked to a Shopify inventory item.")
    integration = shopify_integration(adjustment.workspace_id)
    if integration is None:
        return _wait(adjustment, NO_STORE)
    location_id = adjustment.location_gid or (integration.config or {}).get("location_id")
    if not location_id:
        return _wait(adjustment, NO_LOCATION)
    adjustment.integration_id = integration.id
    item_id = _item_gid(variant.inventory_item_id)
    client = shopify_client(integration)
    reference = f"logistics://wagents/order/{adjustment.order_id or 0}"
    context = f"adjustment={adjustment.id} integration={integration.id}"
    db.session.commit()  # hold no transaction (nor locks) while Shopify answers

    for _ in range(MAX_STALE_ROUNDS):
        if adjustment.status != "pending":
            return "skipped"  # another worker finished it while we re-read
        key, expected = adjustment.idempotency_key, adjustment.change_from_quantity
        adjustment.attempts = (adjustment.attempts or 0) + 1
        db.session.commit()
        change = {
            "inventory_item_id": item_id,
            "location_id": location_id,
            "delta": adjustment.delta,
            "change_from_quantity": expected,
        }
        try:
            if expected is None:  # a change recorded without an expectation: ask Shopify first
                raise ShopifyStaleQuantity("no expected quantity stored yet")
            client.adjust_inventory(
                [change],
                key,
                reason=SHOPIFY_REASONS.get(adjustment.reason, "correction"),
                reference_document_uri=reference,
            )
        except ShopifyStaleQuantity:
            try:
                level = client.get_inventory_level(item_id, location_id)
            except PlatformError as exc:
                return _wait(
                    adjustment, f"Could not re-read the Shopify level ({exc.merchant_message})", "error"
                )
            if level is None or level.available is None:
                return _finish(adjustment, "failed", "Shopify no longer stocks this item at the location.")
            log.info("write-back %s: stale (expected %s, Shopify has %s)", context, expected, level.available)
            _rotate_key(adjustment, key, level.available)
            continue
        except ShopifyIdempotencyMismatch as exc:
            log.error("write-back %s: key %s reused with different input (bug): %s", context, key, exc)
            return _finish(adjustment, "failed", f"Idempotency key {key} reused with different input: {exc}")
        except ShopifyAuthError as exc:
            return _wait(adjustment, exc.merchant_message)
        except PlatformError as exc:
            log.warning("write-back %s failed (attempt %s): %s", context, adjustment.attempts, exc)
            if adjustment.attempts >= MAX_ATTEMPTS:
                return _finish(adjustment, "failed", f"Gave up after {adjustment.attempts} attempts: {exc}")
            return _wait(adjustment, f"Shopify did not take the change yet ({exc.merchant_message})", "error")
        log.info("write-back %s applied (key %s, %+d from %s)", context, key, adjustment.delta, expected)
        return _finish(adjustment, "applied")
    return _wait(adjustment, "Stock kept changing in Shopify while we wrote; will retry.", "stale")


def _item_gid(inventory_item_id: str) -> str:
    if inventory_item_id.startswith("gid://"):
        return inventory_item_id
    return f"gid://shopify/InventoryItem/{inventory_item_id}"


def next_key(key: str) -> str:
    """`order-1-variant-2-sale` -> `...-sale-cas2` -> `...-sale-cas3`: a new key per compare-and-set round."""
    match = re.fullmatch(r"(.*?)(?:-cas(\d+))?", key)
    base, round_ = match.group(1), int(match.group(2) or 1)
    return f"{base}-cas{round_ + 1}"


def _rotate_key(adjustment: InventoryAdjustment, old_key: str, quantity: int) -> None:
    """Store the new expectation under a new key, unless another worker already rotated this key."""
    db.session.execute(
        update(InventoryAdjustment)
        .where(
            InventoryAdjustment.id == adjustment.id,
            InventoryAdjustment.idempotency_key == old_key,
            InventoryAdjustment.status == "pending",
        )
        .values(idempotency_key=next_key(old_key), change_from_quantity=quantity)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(adjustment)  # the winner's key and quantity, whoever won


def _wait(adjustment: InventoryAdjustment, note: str, outcome: str = "waiting") -> str:
    adjustment.error = note
    db.session.commit()
    return outcome


def _finish(adjustment: InventoryAdjustment, status: str, error: str | None = None) -> str:
    adjustment.status = status
    adjustment.error = error
    if status == "applied":
        adjustment.applied_at = utcnow()
    db.session.add(
        SyncLog(
            workspace_id=adjustment.workspace_id,
            integration_id=adjustment.integration_id,
            entity_type="inventory",
            entity_id=str(adjustment.variant_id or adjustment.id),
            action="update",
            status="success" if status == "applied" else "error",
            error_message=error,
        )
    )
    db.session.commit()
    return status


def retry_pending_write_backs(now: datetime | None = None) -> int:
    """Minute housekeeping: queue pending changes of connected stores that no job has finished."""
    cutoff = (now or utcnow()) - SWEEP_AFTER
    connected = exists().where(
        Integration.workspace_id == InventoryAdjustment.workspace_id,
        Integration.platform == "shopify",
        Integration.status == "connected",
    )
    ids = db.session.scalars(
        select(InventoryAdjustment.id)
        .where(
            InventoryAdjustment.status == "pending",
            InventoryAdjustment.created_at <= cutoff,
            connected,
        )
        .order_by(InventoryAdjustment.id)
        .limit(SWEEP_BATCH)
    ).all()
    db.session.commit()
    if ids:
        enqueue_write_back(list(ids))
    return len(ids)
