"""Applying one claimed batch of deliveries: coalesce per resource, write set-based, one transaction.

Deliveries about the same resource (a product, an order, an inventory level of one shop) are coalesced: only
the newest version is applied (its `updated_at`, else when Shopify fired it; the later delivery on a tie),
the others are recorded `processed` with `superseded_by` naming the one applied. Newest-wins across batches
and workers stays the writers' job, in SQL. Product and order upserts of the whole batch go through the
sync's writers (`catalog_writer.upsert_products`, `order_writer.upsert_orders`), a handful of statements per
shop, in one transaction with every status (one statement on Postgres), after the batch has taken
advisory locks on its resources' keys in one global order (`lock_keys`), so overlapping batches of two
workers wait for each other instead of deadlocking. Deliveries whose handlers commit on their own (stock levels,
cancellations, deletes, uninstalls, Meta messages, compliance) then run one by one (`jobs.run_claimed`).

A poison delivery fails alone: one whose body does not parse or map fails before anything is written; if the
set-based write itself fails, the batch is rolled back and written again one delivery per savepoint, and
only the one that still fails is marked `failed`. Must not call a platform, and must not commit halfway
through the set-based part.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, text, update
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.messaging.orders import after_orders
from app.models import Webhook
from app.models.types import utcnow
from app.sync.catalog_writer import upsert_products
from app.sync.mapping import order_from_rest, parse_time, product_from_rest
from app.sync.order_writer import upsert_orders
from app.sync.upsert_sql import dialect
from app.webhooks import jobs

log = logging.getLogger(__name__)
PRODUCT_TOPICS = ("products/create", "products/update")
ORDER_TOPICS = ("orders/create", "orders/updated", "orders/paid", "orders/cancelled")
TRANSIENT_TRIES = 3
# Deadlock, serialization failure, lock timeout: the same batch succeeds when written again.
TRANSIENT_SQLSTATES = ("40P01", "40001", "55P03")


def _transient(exc: Exception) -> bool:
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in TRANSIENT_SQLSTATES


@dataclass
class Item:
    row: object
    kind: str = "single"  # "product" / "order": set-based; "single": its own handler and transaction
    key: tuple | None = None  # the resource, when deliveries about it coalesce
    version: object = None
    record: dict | None = None
    error: str | None = None
    losers: list[int] = field(default_factory=list)


def _classify(row) -> Item:
    item = Item(row)
    if row.platform != "shopify" or row.topic not in (
        *PRODUCT_TOPICS,
        *ORDER_TOPICS,
        "inventory_levels/update",
    ):
        return item
    delivery = jobs.delivery_of(row)
    try:
        body = jobs.parse_body(row.payload)
        if row.topic == "inventory_levels/update":
            # As text: a malformed body's list or object must not break the batch's grouping.
            item.key = (
                "inventory",
                row.account_id,
                str(body.get("inventory_item_id")),
                str(body.get("location_id")),
            )
            try:
                item.version = parse_time(body.get("updated_at")) or delivery.triggered_at
            except ValueError:
                item.version = delivery.triggered_at
            return item
        product = row.topic in PRODUCT_TOPICS
        record = product_from_rest(body) if product else order_from_rest(body)
    except Exception as exc:  # a body that does not map fails alone, before anything is written
        item.error = jobs.error_text(exc)
        return item
    record["source_updated_at"] = record["source_updated_at"] or delivery.triggered_at
    item.record, item.version = record, record["source_updated_at"]
    if product:
        item.kind, item.key = "product", ("product", row.account_id, record["shopify_product_id"])
    else:
        item.key = ("order", row.account_id, record["external_id"])
        # A cancellation releases reservations in transactions of its own: it runs through its handler.
        cancelled = row.topic == "orders/cancelled" or record.get("cancelled_at") is not None
        item.kind = "single" if cancelled else "order"
    return item


def coalesce(items: list[Item]) -> list[Item]:
    """The items to apply: for each resource key the newest (later delivery on a tie), with the others'
    ids in its `losers`; items without a key as they are."""
    winners: dict[tuple, Item] = {}
    applied = []
    for item in items:
        if item.key is None or item.error:
            applied.append(item)
            continue
        best = winners.get(item.key)
        if best is None:
            winners[item.key] = item
        elif (item.version, item.row.id) >= (best.version, best.row.id):
            item.losers = [*best.losers, best.row.id]
            best.losers = []
            winners[item.key] = item
        else:
            best.losers.append(item.row.id)
    applied += winners.values()
    return sorted(applied, key=lambda i: i.row.id)


def apply_batch(rows: list) -> dict[str, int]:
    """Apply claimed rows; returns counts of processed, superseded and failed deliveries."""
    items = coalesce([_classify(row) for row in rows])
    bulk = [i for i in items if i.kind != "single" and not i.error]
    failed = [i for i in items if i.error]
    for attempt in range(1, TRANSIENT_TRIES + 1):
        try:
            lock_keys(bulk)
            _write(bulk)
            _finish(bulk, failed)
            db.session.commit()
            break
        except Exception as exc:
            db.session.rollback()
            if attempt < TRANSIENT_TRIES and _transient(exc):
                log.info("webhook batch of %d: %s; written again", len(bulk), type(exc.orig).__name__)
                continue
            log.warning("webhook batch of %d failed as a whole; writing it one delivery at a time", len(bulk))
            lock_keys(bulk)  # before the savepoints: a lock taken in one would go with its rollback
            failed += _write_each(bulk)
            _finish([i for i in bulk if not i.error], failed)
            db.session.commit()
            break
    outcomes = {"processed": 0, "superseded": 0, "failed": len(failed)}
    outcomes["processed"] += len(bulk) - len([i for i in bulk if i.error])
    for item in items:
        outcomes["superseded"] += len(item.losers)
        if item.kind == "single" and not item.error:
            outcomes[jobs.run_claimed(item.row, item.losers)] += 1
    return outcomes


def _write(items: list[Item]) -> None:
    """The set-based part: per shop, one products call and one orders call per integration it feeds."""
    groups: dict[tuple, list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.kind, item.row.account_id)].append(item)
    for (kind, _), group in groups.items():
        first = jobs.delivery_of(group[0].row)
        targets = first.integrations()
        if not targets:
            for item in group:
                d = jobs.delivery_of(item.row)
                d.log(d.workspace_id, "integration", d.integration_id or "-", "skip",
                      error="No connected integration.")  # fmt: skip
            continue
        group.sort(key=lambda i: i.key)
        records = [i.record for i in group]
        if kind == "product":
            ids = {i.record["shopify_product_id"]: i.row.id for i in group}
            for integration in targets:
                upsert_products(
                    integration.workspace_id, records, integration_id=integration.id, webhook_ids=ids
                )
        else:
            ids = {i.record["external_id"]: i.row.id for i in group}
            for integration in targets:
                upsert_orders(
                    integration.workspace_id, records, integration_id=integration.id, webhook_ids=ids
                )
                after_orders(integration.workspace_id, records)


def lock_keys(items: list[Item]) -> None:
    """Take the batch's resource keys (transaction advisory locks, in one global order) before writing any
    row. Two workers' overlapping batches then wait for each other at their first shared key instead of
    deadlocking: row locks alone cannot be taken in order, since a new product's `INSERT ... ON CONFLICT`
    has no row to lock beforehand and the writers also touch rows out of key order (`seen_at`)."""
    if dialect() != "postgresql":
        return
    keys = sorted({_lock_id(i.key) for i in items if i.key is not None})
    if keys:
        db.session.execute(_LOCK, {"keys": keys})


# unnest() yields the array in order, and the aggregate takes the locks as the rows come.
_LOCK = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k")


def _lock_id(key: tuple) -> int:
    """A stable signed 64-bit id for a resource key (a collision only makes two batches wait for each other)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8, person=b"wagents-inbox").digest()
    return int.from_bytes(digest, "big", signed=True)


def _write_each(items: list[Item]) -> list[Item]:
    """After the batch failed as a whole: each delivery in a savepoint of its own; returns those that fail."""
    failed = []
    for item in items:
        for attempt in range(1, TRANSIENT_TRIES + 1):
            try:
                with db.session.begin_nested():
                    _write([item])
                break
            except Exception as exc:
                if attempt < TRANSIENT_TRIES and _transient(exc):
                    continue
                item.error = jobs.error_text(exc)
                failed.append(item)
                log.warning("webhook %s failed in its batch: %s", item.row.id, item.error[:200])
                break
    return failed


_STATUS = (
    update(Webhook.__table__)
    .where(Webhook.__table__.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        error=bindparam("b_error"),
        processed_at=bindparam("b_at"),
        superseded_by=bindparam("b_by"),
    )  # fmt: skip
)


# Postgres: the batch's statuses in one statement (an executemany of 500 updates cost 4x as much).
_STATUS_PG = text(
    """
    UPDATE webhook AS w SET status = v.status, error = v.error, processed_at = :at, superseded_by = v.by
    FROM unnest(CAST(:ids AS integer[]), CAST(:statuses AS text[]), CAST(:errors AS text[]),
                CAST(:bys AS integer[])) AS v(id, status, error, by)
    WHERE w.id = v.id
    """
)


def _finish(applied: list[Item], failed: list[Item]) -> None:
    """Every status of the set-based part (and of deliveries that failed to map), in one statement."""
    now = utcnow()
    rows = [(item.row.id, "processed", None, None) for item in applied]
    rows += [(item.row.id, "failed", item.error, None) for item in failed]
    rows += [(lid, "processed", None, item.row.id) for item in (*applied, *failed) for lid in item.losers]
    if not rows:
        return
    if dialect() == "postgresql":
        ids, statuses, errors, bys = (list(column) for column in zip(*rows, strict=True))
        db.session.execute(
            _STATUS_PG, {"ids": ids, "statuses": statuses, "errors": errors, "bys": bys, "at": now}
        )
        return
    db.session.connection().execute(
        _STATUS,
        [{"b_id": i, "b_status": st, "b_error": e, "b_at": now, "b_by": by} for i, st, e, by in rows],
    )
