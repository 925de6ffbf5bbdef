"""The one table of webhook handlers: (platform, topic) -> function taking a `Delivery`.

Handlers are idempotent: a delivery processed twice (a retry, a sweeper re-enqueue) changes nothing the second
time. They never set the webhook row's status (the job does) and never call a platform over HTTP. A topic with
no handler is recorded as processed with a `skip` line in sync_log.
"""

from __future__ import annotations

from collections.abc import Callable

from app.webhooks import (
    checkout_handlers,
    collection_handlers,
    compliance,
    location_handlers,
    messaging_handlers,
    meta_handlers,
    order_handlers,
    shopify_handlers,
)
from app.webhooks.delivery import Delivery

Handler = Callable[[Delivery], None]

HANDLERS: dict[tuple[str, str], Handler] = {
    ("shopify", "products/create"): shopify_handlers.products_upsert,
    ("shopify", "products/update"): shopify_handlers.products_upsert,
    ("shopify", "products/delete"): shopify_handlers.products_delete,
    ("shopify", "orders/create"): shopify_handlers.orders_upsert,
    ("shopify", "orders/updated"): shopify_handlers.orders_upsert,
    ("shopify", "orders/cancelled"): shopify_handlers.orders_upsert,
    ("shopify", "orders/paid"): shopify_handlers.orders_upsert,
    ("shopify", "checkouts/create"): checkout_handlers.checkout_upsert,
    ("shopify", "checkouts/update"): checkout_handlers.checkout_upsert,
    ("shopify", "fulfillments/create"): order_handlers.fulfillment_upsert,
    ("shopify", "fulfillments/update"): order_handlers.fulfillment_upsert,
    ("shopify", "refunds/create"): order_handlers.refund_create,
    ("shopify", "inventory_levels/update"): shopify_handlers.inventory_level_update,
    ("shopify", "collections/create"): collection_handlers.collection_upsert,
    ("shopify", "collections/update"): collection_handlers.collection_upsert,
    ("shopify", "collections/delete"): collection_handlers.collection_delete,
    ("shopify", "locations/create"): location_handlers.location_upsert,
    ("shopify", "locations/update"): location_handlers.location_upsert,
    ("shopify", "locations/delete"): location_handlers.location_delete,
    ("shopify", "app/uninstalled"): shopify_handlers.app_uninstalled,
    ("shopify", "bulk_operations/finish"): shopify_handlers.bulk_operation_finished,
    ("shopify", "customers/data_request"): compliance.customers_data_request,
    ("shopify", "customers/redact"): compliance.customers_redact,
    ("shopify", "shop/redact"): compliance.shop_redact,
    ("whatsapp", "messages"): meta_handlers.whatsapp_messages,
    ("whatsapp", "message_template_status_update"): messaging_handlers.template_status,
    ("whatsapp", "message_template_quality_update"): messaging_handlers.template_status,
    ("whatsapp", "template_category_update"): messaging_handlers.template_status,
    ("facebook", "messages"): meta_handlers.facebook_messages,
    ("facebook", "postback"): meta_handlers.facebook_messages,
    ("facebook", "delivery"): meta_handlers.facebook_delivery,
    ("facebook", "read"): meta_handlers.facebook_read,
}


def handler_for(platform: str, topic: str) -> Handler | None:
    return HANDLERS.get((platform, topic))
