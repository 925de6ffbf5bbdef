"""Handlers for Shopify's location topics (`locations/create|update|delete`), and the read of a location an
inventory webhook names before we hold it.

A location's REST body lacks what the stock rule needs (whether it fulfils online orders), so create and update
write nothing from the body: once the delivery is committed they enqueue `sync.refresh_location`, which reads
the location and its levels by GraphQL through the sync's own writer. `inventory_levels/update` for a location
we do not hold does the same (`read_if_unknown`), so the placeholder row it makes carries Shopify's name and
settings as soon as the read lands, not at the next full sync; a level we did not hold before has its on hand
and committed units read too (`app.sync.item_levels`). A delete removes the location and its levels.
Must not call Shopify.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import select

from app.extensions import db
from app.inventory.locations import location_gid, upsert_location
from app.models import Location, ProductVariant, VariantLocationStock
from app.queues import enqueue, safe_retry
from app.sync.locations import delete_location
from app.webhooks.delivery import Delivery
from app.webhooks.reread_topics import after_commit_read, reread_handlers


def _gid(body: dict) -> str:
    return body.get("admin_graphql_api_id") or location_gid(body["id"])


def _read(integration_id: int, gid: str) -> None:
    enqueue("sync.refresh_location", integration_id, gid, retry=safe_retry())


location_upsert, location_delete = reread_handlers("location", _gid, _read, delete_location)


def read_if_unknown(d: Delivery, integration, location_id) -> None:
    """Call before writing a level at `location_id`: a location the store's rows do not hold yet is read."""
    gid = location_gid(location_id)
    known = db.session.scalar(
        select(Location.id).where(
            Location.integration_id == integration.id, Location.shopify_location_id == gid
        )
    )
    if known is None:
        # The placeholder now (committed with the delivery), so the next deliveries naming it ask no read again.
        upsert_location(integration.workspace_id, integration.id, gid)
        d.after_commit.append(partial(after_commit_read, _read, integration.id, gid))


def level_is_new(integration, item_gid: str, location_id) -> bool:
    """Whether no variant of this item has a level at this location yet (its committed units unknown)."""
    found = db.session.scalar(
        select(VariantLocationStock.variant_id)
        .join(Location, Location.id == VariantLocationStock.location_id)
        .join(ProductVariant, ProductVariant.id == VariantLocationStock.variant_id)
        .where(Location.integration_id == integration.id, Location.shopify_location_id == location_gid(location_id),
               ProductVariant.workspace_id == integration.workspace_id, ProductVariant.inventory_item_id == item_gid)
        .limit(1)
    )  # fmt: skip
    return found is None
