"""Set-based writes of checkout records (from `checkout_mapping`) into `checkout`.

Newest wins, as for products and orders: a checkout is rewritten only by a record whose Shopify `updated_at`
(`last_activity_at`) is newer than the stored one, so re-delivered or reordered webhooks and a later
`abandonedCheckouts` read agree. A completion, a token, the order link and the reminder are never taken back
by a record that lacks them. Caller commits.
"""

from __future__ import annotations

from app.models import Checkout
from app.models.types import utcnow
from app.sync.upsert_sql import newest_wins_upsert

COLUMNS = (
    "token", "cart_token", "customer_gid", "customer_name", "customer_phone", "customer_email",
    "line_items_summary", "item_count", "total_price", "currency", "recovery_url", "created_at",
    "last_activity_at", "completed_at",
)  # fmt: skip
KEEP_WHEN_ABSENT = ("token", "cart_token", "completed_at", "customer_phone", "recovery_url")


def upsert_checkouts(workspace_id: int, records: list[dict], *, integration_id: int | None = None) -> dict:
    """Returns {shopify checkout gid: row id} of the checkouts written (older records are skipped)."""
    latest: dict[str, dict] = {}
    for record in records:
        seen = latest.get(record["shopify_checkout_id"])
        if seen is None or _key(record) >= _key(seen):
            latest[record["shopify_checkout_id"]] = record
    if not latest:
        return {}
    now = utcnow()
    rows = [
        {**{c: r.get(c) for c in COLUMNS}, "workspace_id": workspace_id, "integration_id": integration_id,
         "shopify_checkout_id": g, "item_count": r.get("item_count") or 0, "updated_at": now}
        for g, r in sorted(latest.items())
    ]  # fmt: skip
    written = newest_wins_upsert(
        Checkout, rows, key=("workspace_id", "shopify_checkout_id"), update=(*COLUMNS, "integration_id", "updated_at"),
        keep_when_absent=KEEP_WHEN_ABSENT, version="last_activity_at", returning=("id", "shopify_checkout_id"),
    )  # fmt: skip
    return {g: i for i, g in written}


def _key(record: dict):
    return record.get("last_activity_at") or utcnow()
