"""Set-based writes of Shopify order records (from `mapping`) into orders, order_items, fulfillments, refunds.

Same ordering rule as products: an order is rewritten only by a newer `updatedAt`. Line items are replaced as
a whole for each order written (Shopify sends the full list every time; the sync pages them all) and linked
to our variants by GID; so are its fulfillments and refunds when the record carries them (None: the source
did not say, the stored ones stay). `write_fulfillment` and `write_refund` take the fulfillments/* and
refunds/create topics, which name their order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from app.extensions import db
from app.models import Order, OrderFulfillment, OrderItem, OrderRefund, SyncLog
from app.models.types import utcnow
from app.sync.catalog_writer import variant_ids_by_gid
from app.sync.upsert_sql import newest_wins_upsert

ORDER_COLUMNS = (
    "number", "customer_name", "customer_email", "customer_phone", "currency", "total_price", "subtotal_price",
    "financial_status", "fulfillment_status", "cancelled_at", "source_updated_at", "checkout_token", "checkout_id",
)  # fmt: skip
# A source that does not name the checkout (GraphQL has no checkout id) keeps what another source stored.
KEEP_WHEN_ABSENT = ("checkout_token", "checkout_id")


def order_status(record: dict) -> str:
    return "cancelled" if record.get("cancelled_at") else "open"


def upsert_orders(
    workspace_id: int,
    records: list[dict],
    *,
    integration_id: int | None = None,
    sync_run_id: int | None = None,
    webhook_id: int | None = None,
    now: datetime | None = None,
    webhook_ids: dict[str, int] | None = None,
) -> dict[str, list[int]]:
    """Returns {"created": [...], "updated": [...], "skipped": [...ids or gids]}. Caller commits.

    `webhook_ids` (external id -> webhook id) names each order's own delivery on its log line when one call
    writes a batch of webhook deliveries."""
    now = now or utcnow()
    latest: dict[str, dict] = {}
    for record in records:
        seen = latest.get(record["external_id"])
        if seen is None or (record["source_updated_at"] or now) >= (seen["source_updated_at"] or now):
            latest[record["external_id"]] = record
    outcome = {"created": [], "updated": [], "skipped": []}
    if not latest:
        return outcome
    existing = dict(
        db.session.execute(
            select(Order.external_id, Order.id).where(
                Order.workspace_id == workspace_id,
                Order.source_platform == "shopify",
                Order.external_id.in_(list(latest)),
            )  # fmt: skip
        ).all()
    )
    rows = []
    for external_id, record in latest.items():
        row = {c: record.get(c) for c in ORDER_COLUMNS}
        row.update(
            workspace_id=workspace_id, integration_id=integration_id, source_platform="shopify",
            external_id=external_id, status=order_status(record), created_at=record.get("created_at") or now,
            updated_at=now,
        )  # fmt: skip
        rows.append(row)
    upserted = newest_wins_upsert(
        Order, rows, key=("workspace_id", "source_platform", "external_id"),
        update=(*ORDER_COLUMNS, "status", "updated_at"), keep_when_absent=KEEP_WHEN_ABSENT,
        version="source_updated_at", returning=("id", "external_id"),
    )  # fmt: skip
    written = {g: i for i, g in upserted}
    for external_id in latest:
        if external_id not in written:
            outcome["skipped"].append(existing.get(external_id, external_id))
        elif external_id in existing:
            outcome["updated"].append(written[external_id])
        else:
            outcome["created"].append(written[external_id])
    if written:
        _replace_items(workspace_id, {written[g]: latest[g] for g in written})
        _replace_shipments({written[g]: latest[g] for g in written})
    by_id = {}
    if webhook_ids:
        ids = {**existing, **written}
        by_id = {ids.get(g, g): webhook_ids[g] for g in latest if g in webhook_ids}
    log_rows = [
        {"workspace_id": workspace_id, "integration_id": integration_id, "sync_run_id": sync_run_id,
         "webhook_id": by_id.get(oid, webhook_id), "entity_type": "order", "entity_id": str(oid),
         "action": action, "status": "success", "created_at": now}
        for action, key in (("create", "created"), ("update", "updated"), ("skip", "skipped"))
        for oid in outcome[key]
    ]  # fmt: skip
    if log_rows:
        db.session.execute(insert(SyncLog), log_rows)
    return outcome


def _replace_items(workspace_id: int, orders: dict[int, dict]) -> None:
    db.session.execute(delete(OrderItem).where(OrderItem.order_id.in_(list(orders))))
    links = variant_ids_by_gid(
        workspace_id, [item["shopify_variant_id"] for r in orders.values() for item in r["items"]]
    )
    rows = []
    for order_id, record in orders.items():
        for item in record["items"]:
            variant_id, product_id = links.get(item["shopify_variant_id"], (None, None))
            rows.append({
                "order_id": order_id, "variant_id": variant_id, "product_id": product_id,
                "external_id": item["external_id"], "sku": item["sku"], "title": item["title"][:500],
                "quantity": item["quantity"], "unit_price": item["unit_price"], "total_price": item["total_price"],
            })  # fmt: skip
    if rows:
        db.session.execute(insert(OrderItem), rows)


FULFILLMENT_COLUMNS = (
    "shopify_fulfillment_id", "name", "status", "shipment_status", "tracking_company", "tracking_number", "tracking_url", "tracking",
    "created_at", "updated_at",
)  # fmt: skip
REFUND_COLUMNS = ("shopify_refund_id", "amount", "currency", "note", "line_items", "created_at")


def _replace_shipments(orders: dict[int, dict]) -> None:
    for model, key, columns in (
        (OrderFulfillment, "fulfillments", FULFILLMENT_COLUMNS),
        (OrderRefund, "refunds", REFUND_COLUMNS),
    ):
        known = {oid: r[key] for oid, r in orders.items() if r.get(key) is not None}
        if not known:
            continue
        db.session.execute(delete(model).where(model.order_id.in_(list(known))))
        rows = [{**{c: item.get(c) for c in columns}, "order_id": oid} for oid, items in known.items()
                for item in items]  # fmt: skip
        if rows:
            db.session.execute(insert(model), rows)


def _order_id(workspace_id: int, order_gid: str | None) -> int | None:
    if not order_gid:
        return None
    return db.session.scalar(
        select(Order.id).where(
            Order.workspace_id == workspace_id,
            Order.source_platform == "shopify",
            Order.external_id == order_gid,
        )
    )


def write_fulfillment(workspace_id: int, record: dict) -> str:
    """Insert or update one fulfillment of a stored order, newest `updated_at` winning. Returns "create",
    "update", "skip" (older than the stored one) or "missing" (its order is not stored yet: the order's
    own webhook or the next orders sync brings it with its fulfillments). Caller commits."""
    order_id = _order_id(workspace_id, record.get("order_id"))
    if order_id is None:
        return "missing"
    stored = db.session.execute(
        select(OrderFulfillment.id, OrderFulfillment.updated_at).where(
            OrderFulfillment.order_id == order_id,
            OrderFulfillment.shopify_fulfillment_id == record["shopify_fulfillment_id"],
        )
    ).first()
    values = {c: record.get(c) for c in FULFILLMENT_COLUMNS}
    if stored is None:
        db.session.execute(insert(OrderFulfillment).values(order_id=order_id, **values))
        return "create"
    incoming = record.get("updated_at")
    if stored.updated_at is not None and incoming is not None and incoming < stored.updated_at:
        return "skip"
    db.session.execute(update(OrderFulfillment).where(OrderFulfillment.id == stored.id).values(**values))
    return "update"


def write_refund(workspace_id: int, record: dict) -> str:
    """Insert one refund of a stored order (a refund is never edited in Shopify): "create", "skip" (already
    stored) or "missing" (order not stored yet). Caller commits."""
    order_id = _order_id(workspace_id, record.get("order_id"))
    if order_id is None:
        return "missing"
    exists = db.session.scalar(
        select(OrderRefund.id).where(
            OrderRefund.order_id == order_id, OrderRefund.shopify_refund_id == record["shopify_refund_id"]
        )
    )
    if exists is not None:
        return "skip"
    db.session.execute(
        insert(OrderRefund).values(order_id=order_id, **{c: record.get(c) for c in REFUND_COLUMNS})
    )
    return "create"
