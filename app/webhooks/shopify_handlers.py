"""Handlers for Shopify's catalog, order, stock and app topics.

Products and orders go through the sync's own mapping (`app.sync.mapping`) and writers, so a webhook and a sync
page land identically and newest-wins is enforced in SQL. Stock goes through `app.inventory` (whose functions
commit their own transaction), uninstalls through `app.integrations.service`, bulk exports through
`app.sync.service.continue_bulk` (which ignores operations it did not start). A shop feeds the one workspace
that holds it (`Delivery.integrations`). Ordering keys: the body's `updated_at`, else the delivery's
`triggered_at` (never later than its arrival). Must not call Shopify.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy import select

from app.extensions import db
from app.integrations.service import handle_app_uninstalled
from app.inventory import release, set_inventory_level
from app.inventory.levels import variant_ids_for_item
from app.messaging.orders import after_orders
from app.models import Order, Product
from app.models.types import utcnow
from app.sync.catalog_writer import dialect_insert, soft_delete_products, upsert_products
from app.sync.item_levels import note_new_levels
from app.sync.mapping import gid, order_from_rest, parse_time, product_from_rest
from app.sync.order_writer import upsert_orders
from app.sync.service import continue_bulk
from app.webhooks.delivery import Delivery
from app.webhooks.location_handlers import level_is_new, read_if_unknown

TOMBSTONE_TITLE = "(deleted in Shopify)"


def products_upsert(d: Delivery) -> None:
    record = product_from_rest(d.body)
    # Without the body's updated_at, when Shopify fired the event is the best ordering key we have.
    record["source_updated_at"] = record["source_updated_at"] or d.triggered_at
    for integration in d.targets():
        upsert_products(
            integration.workspace_id, [record], integration_id=integration.id, webhook_id=d.webhook_id
        )


def products_delete(d: Delivery) -> None:
    product_gid = gid("Product", d.body["id"])
    deleted_at = d.triggered_at
    for integration in d.targets():
        ids = soft_delete_products(
            integration.workspace_id, gids=[product_gid], integration_id=integration.id,
            webhook_id=d.webhook_id, deleted_at=deleted_at,
        )  # fmt: skip
        if not ids:
            _tombstone(d, integration, product_gid, deleted_at)


def _tombstone(d: Delivery, integration, product_gid: str, deleted_at) -> None:
    """A delete that overtook the product's create leaves a deleted row, so the late create (older than the
    delete) is refused by the writer's no-resurrection rule instead of bringing the product back."""
    now = utcnow()
    stmt = dialect_insert(Product).values(
        workspace_id=integration.workspace_id, shopify_product_id=product_gid, title=TOMBSTONE_TITLE,
        status="archived", images=[], platform_sync={}, deleted_at=deleted_at, seen_at=now, created_at=now,
        updated_at=now,
    )  # fmt: skip
    db.session.execute(stmt.on_conflict_do_nothing(index_elements=["workspace_id", "shopify_product_id"]))
    d.log(integration.workspace_id, "product", product_gid, "skip", integration_id=integration.id,
          error="Deleted before we knew it (or already deleted).")  # fmt: skip


def orders_upsert(d: Delivery) -> None:
    record = order_from_rest(d.body)
    record["source_updated_at"] = record["source_updated_at"] or d.triggered_at
    cancelled = d.topic == "orders/cancelled" or record.get("cancelled_at") is not None
    for integration in d.targets():
        upsert_orders(
            integration.workspace_id, [record], integration_id=integration.id, webhook_id=d.webhook_id
        )
        after_orders(integration.workspace_id, [record], d.topic)
        if cancelled:
            _release(d, integration, record["external_id"])


def _release(d: Delivery, integration, external_id: str) -> None:
    order = db.session.scalars(
        select(Order).where(
            Order.workspace_id == integration.workspace_id,
            Order.source_platform == "shopify",
            Order.external_id == external_id,
        )
    ).first()
    if order is None:
        return
    db.session.commit()  # release() rolls back on error: keep the order upsert whatever happens there
    released = release(order)  # its own transaction: commits the order upsert with it
    if released:
        d.log(integration.workspace_id, "order", order.id, "update", integration_id=integration.id,
              error=f"cancelled in Shopify: released {released} reserved units")  # fmt: skip


def inventory_level_update(d: Delivery) -> None:
    item, available = d.body.get("inventory_item_id"), d.body.get("available")
    try:  # when the level changed in Shopify: deliveries arrive out of order, the newest level must win
        changed_at = parse_time(d.body.get("updated_at")) or d.triggered_at
    except ValueError:
        changed_at = d.triggered_at
    for integration in d.targets():
        if item is None or available is None:  # an untracked item reports available: null
            d.log(integration.workspace_id, "inventory", item or "-", "skip", integration_id=integration.id,
                  error="No tracked quantity in the webhook.")  # fmt: skip
            continue
        new_level = False
        if d.body.get("location_id") is not None:
            read_if_unknown(d, integration, d.body["location_id"])
            new_level = level_is_new(integration, gid("InventoryItem", item), d.body["location_id"])
        variant_ids = set_inventory_level(
            integration.workspace_id,
            gid("InventoryItem", item),
            int(available),
            location_id=d.body.get("location_id"),
            updated_at=changed_at,
            integration_id=integration.id,
        )
        if variant_ids and new_level:  # the webhook has `available` alone: read what is committed too
            d.after_commit.append(partial(note_new_levels, integration.id, [gid("InventoryItem", item)]))
        if variant_ids:
            for variant_id in variant_ids:
                d.log(
                    integration.workspace_id, "inventory", variant_id, "update", integration_id=integration.id
                )
            continue
        known = variant_ids_for_item(integration.workspace_id, gid("InventoryItem", item))
        error = (
            f"Level from {changed_at.isoformat()} is older than the stored one; ignored."
            if known
            else f"No variant with inventory item {item}."
        )
        for variant_id in known or ["-"]:
            d.log(integration.workspace_id, "inventory", variant_id, "skip", integration_id=integration.id,
                  error=error)  # fmt: skip


def app_uninstalled(d: Delivery) -> None:
    before = {i.id: i.workspace_id for i in d.integrations(include_disconnected=True)}
    if not before:  # nobody held the shop when this arrived, or the hold moved since: not theirs to end
        d.targets()
        return
    changed = handle_app_uninstalled(d.account_id)  # commits
    for integration_id in changed or []:
        d.log(before.get(integration_id), "integration", integration_id, "update", integration_id=integration_id,
              error="App uninstalled from the shop: needs reconnecting.")  # fmt: skip


def bulk_operation_finished(d: Delivery) -> None:
    """Hand the finished bulk export to the sync, which ignores operations it did not start."""
    operation = d.body.get("admin_graphql_api_id")
    for integration in d.targets():
        continue_bulk(integration, operation)
        d.log(
            integration.workspace_id,
            "bulk_operation",
            operation or "-",
            "update",
            integration_id=integration.id,
        )
