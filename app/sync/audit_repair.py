"""The drift audit's repairs: re-read exactly the products it found different, and re-register lost webhooks.

`repair_products` fetches each differing product by id (`refresh.fetch_product`: every variant and media
item, paged) and writes it through the sync's own mapping and writer. The shop is the authority here, so a
row's stored version and soft-deletion are cleared first: a row altered directly in the database (even to a
later version) is overwritten, and one soft-deleted while the shop still has it comes back. A product the
shop no longer has is soft-deleted as the sync's sweep does, for this store alone. One commit per product.

`restore_webhooks` compares the shop's subscriptions at our URI with `WEBHOOK_TOPICS` (Shopify deletes a
subscription after repeated failed deliveries), re-creates what is missing, stores the ids and leaves the
merchant an alert naming them.

`repair_orders` re-reads each order missing or changed (`orders(query: "id:...")`, every line item,
fulfillment and refund) into the order writer. An order in the database the shop no longer lists is left
reported, not removed: orders are records of sales, not a copy to sweep.
"""

from __future__ import annotations

import logging

from sqlalchemy import update

from app.extensions import db
from app.integrations.shopify_connect import WEBHOOK_TOPICS, webhook_uri
from app.models import Alert, Integration, Order, Product
from app.platforms import errors
from app.sync import connections
from app.sync.catalog_writer import soft_delete_products, upsert_products
from app.sync.mapping import order_from_graphql, product_from_graphql
from app.sync.order_writer import upsert_orders
from app.sync.refresh import fetch_product
from app.sync.runner import LINE_ITEMS_FIRST

log = logging.getLogger(__name__)
ALERT_SOURCE = "drift_audit"
REFETCH_KINDS = ("missing", "changed", "variants", "stock")


def repair_products(integration: Integration, client, found: list[dict]) -> dict[str, int]:
    done = {"refetched": 0, "deleted": 0, "failed": 0}
    integration_id, workspace_id = integration.id, integration.workspace_id
    currency = (integration.config or {}).get("currency")
    refetch = sorted({d["gid"] for d in found if d["kind"] in REFETCH_KINDS})
    extra = sorted({d["gid"] for d in found if d["kind"] == "extra"})
    db.session.rollback()  # no transaction held open while Shopify answers
    for gid in refetch:
        try:
            node = fetch_product(client, gid)
        except (errors.ShopifyAuthError, errors.ShopifyUnavailable):
            raise
        except errors.ShopifyError as exc:
            log.warning("integration %s: product %s not repaired: %s", integration_id, gid, exc)
            done["failed"] += 1
            continue
        if node is None:
            extra.append(gid)
            continue
        db.session.execute(
            update(Product)
            .where(Product.integration_id == integration_id, Product.shopify_product_id == gid)
            .values(source_updated_at=None, deleted_at=None)
        )
        upsert_products(workspace_id, [product_from_graphql(node)], integration_id=integration_id,
                        currency=currency, reread=True)  # fmt: skip
        db.session.commit()
        done["refetched"] += 1
    if extra:
        done["deleted"] = len(soft_delete_products(workspace_id, gids=extra, integration_id=integration_id))
        db.session.commit()
    log.info("integration %s: drift repaired: %s", integration_id, done)
    return done


def repair_orders(integration: Integration, client, found: list[dict]) -> dict[str, int]:
    done = {"refetched": 0, "failed": 0}
    gids = sorted({d["gid"] for d in found if d["kind"] in ("order_missing", "order_changed")})
    db.session.rollback()
    for gid in gids:
        try:
            nodes = [
                connections.complete_order(client, node)
                for page in client.iter_order_pages(
                    query=f"id:{gid.rsplit('/', 1)[-1]}",
                    line_items_first=LINE_ITEMS_FIRST,
                    fulfillments_first=connections.FULFILLMENTS_FIRST,
                    refunds_first=connections.REFUNDS_FIRST,
                )  # fmt: skip
                for node in page.nodes
                if node["id"] == gid
            ]
        except (errors.ShopifyAuthError, errors.ShopifyUnavailable):
            raise
        except errors.ShopifyError as exc:
            log.warning("integration %s: order %s not repaired: %s", integration.id, gid, exc)
            done["failed"] += 1
            continue
        if not nodes:
            continue
        db.session.execute(
            update(Order)
            .where(Order.integration_id == integration.id, Order.external_id == gid)
            .values(source_updated_at=None)
        )
        upsert_orders(integration.workspace_id, [order_from_graphql(nodes[0])], integration_id=integration.id)
        db.session.commit()
        done["refetched"] += 1
    return done


def restore_webhooks(integration: Integration, client) -> list[str]:
    """Re-create every subscription the shop lost; returns their topics (empty when all were there)."""
    uri = webhook_uri()
    existing = {w["topic"]: w["id"] for w in client.list_webhooks() if w.get("uri") == uri}
    restored = []
    for topic in WEBHOOK_TOPICS:
        if topic not in existing:
            existing[topic] = client.create_webhook(topic, uri)["id"]
            restored.append(topic)
    if restored:
        integration.config = {
            **(integration.config or {}),
            "webhook_subscription_ids": [existing[t] for t in WEBHOOK_TOPICS],
        }
        names = ", ".join("/".join(t.lower().rsplit("_", 1)) for t in restored)
        db.session.add(Alert(workspace_id=integration.workspace_id, integration_id=integration.id,
                             level="warning", source=ALERT_SOURCE,
                             message=f"Shopify had stopped sending {names} to this app (it removes a "
                                     f"subscription after repeated failed deliveries). It is registered again; "
                                     f"changes made meanwhile are brought in by the audit's repair or a full sync."))  # fmt: skip
        db.session.commit()
        log.warning(
            "integration %s: webhook subscriptions re-created: %s", integration.id, ", ".join(restored)
        )
    return restored
