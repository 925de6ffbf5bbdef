"""Webhook subscriptions and deliveries, shaped and signed like Shopify's.

Bodies are the REST resource for the topic (Shopify's documented samples for ``products/update``,
``orders/create``, ``inventory_levels/update`` and ``bulk_operations/finish``), signed with base64
HMAC-SHA256 of the raw body keyed with the app secret, and carry Shopify's ``X-Shopify-*`` headers.
Delivery uses ``requests`` with a timeout (in a thread when ``webhook_async``), or the ``deliver`` callable
given to the store so in-process tests see each delivery synchronously.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import uuid

import requests

from app.demo_store import catalog
from app.demo_store.inventory import default_levels

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 5


def topic_to_rest(topic: str) -> str:
    """``PRODUCTS_UPDATE`` -> ``products/update`` (Shopify's REST spelling of a topic)."""
    if "/" in topic:
        return topic
    head, _, action = topic.lower().rpartition("_")
    return f"{head}/{action}"


def topic_to_enum(topic: str) -> str:
    return topic.replace("/", "_").upper()


def sign_body(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def rest_time(value: str | None) -> str | None:
    return value[:-1] + "+00:00" if value and value.endswith("Z") else value


def subscription_node(row) -> dict:
    numeric = 1_000_000 + row["id"]
    return {
        "id": catalog.gid("WebhookSubscription", numeric),
        "legacyResourceId": str(numeric),
        "topic": row["topic"],
        "uri": row["uri"],
        "callbackUrl": row["uri"],
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": row["uri"]},
        "format": row["format"],
        "apiVersion": {"handle": row["api_version"], "displayName": row["api_version"], "supported": True},
        "includeFields": [],
        "metafieldNamespaces": [],
        "metafields": [],
        "filter": None,
        "name": None,
        "createdAt": row["created_at"],
        "updatedAt": row["created_at"],
    }


class WebhooksMixin:
    # --- subscriptions ----------------------------------------------------------------------------------

    def subscribe(self, shop: str, topic: str, uri: str, fmt: str = "JSON") -> dict:
        row_id = self.db.run(
            "INSERT INTO webhooks (shop, topic, uri, format, api_version, created_at) VALUES (?,?,?,?,?,?)",
            (shop, topic_to_enum(topic), uri, fmt, self.api_version, self.now_iso()),
        )
        return subscription_node(self.db.one("SELECT * FROM webhooks WHERE id=?", (row_id,)))

    def unsubscribe(self, shop: str, subscription_gid: str) -> bool:
        numeric = catalog.parse_gid(subscription_gid, "WebhookSubscription")
        if numeric is None:
            return False
        row = self.db.one("SELECT id FROM webhooks WHERE id=? AND shop=?", (numeric - 1_000_000, shop))
        if row is None:
            return False
        self.db.run("DELETE FROM webhooks WHERE id=?", (row["id"],))
        return True

    def subscriptions(self, shop: str, topics: list[str] | None = None) -> list[dict]:
        rows = self.db.all("SELECT * FROM webhooks WHERE shop=? ORDER BY id", (shop,))
        wanted = {topic_to_enum(t) for t in topics} if topics else None
        return [subscription_node(r) for r in rows if wanted is None or r["topic"] in wanted]

    # --- delivery ---------------------------------------------------------------------------------------

    def fire(self, shop: str, topic: str, payload: dict, *, url: str | None = None) -> list[dict]:
        """Deliver ``payload`` for ``topic`` to every subscriber (or to ``url`` only); returns the deliveries."""
        topic = topic_to_rest(topic)
        targets = [url] if url else [s["uri"] for s in self.subscriptions(shop, [topic])]
        return [self.deliver_webhook(target, shop, topic, payload) for target in targets]

    def deliver_webhook(self, url: str, shop: str, topic: str, payload: dict) -> dict:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign_body(body, self.api_secret),
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Triggered-At": self.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        delivery = {"url": url, "body": body, "headers": headers}
        if self.deliver is not None:
            self.deliver(url, body, headers)
        elif self.webhook_async:
            threading.Thread(target=_post, args=(url, body, headers), daemon=True).start()
        else:
            _post(url, body, headers)
        return delivery

    # --- payloads (REST resource shapes) ----------------------------------------------------------------

    def product_payload(self, shop: str, record: dict) -> dict:
        pid = record["id"]
        created, updated = rest_time(record["created_at"]), rest_time(record["updated_at"])
        overlay = self.quantities_many(shop, [v["inventory_item_id"] for v in record["variants"]])
        variants = []
        for v in record["variants"]:
            levels = default_levels(v) | overlay.get(v["inventory_item_id"], {})
            quantity = sum(q.get("available", 0) for q in levels.values())
            variants.append({
                "admin_graphql_api_id": catalog.gid("ProductVariant", v["id"]), "barcode": None,
                "compare_at_price": v["compare_at_price"], "created_at": created, "id": v["id"],
                "inventory_policy": "deny", "position": v["position"], "price": v["price"], "product_id": pid,
                "sku": v["sku"], "taxable": True, "title": v["title"], "updated_at": updated,
                "option1": v["option1"], "option2": None, "option3": None, "image_id": None,
                "inventory_item_id": v["inventory_item_id"], "inventory_quantity": quantity,
                "old_inventory_quantity": quantity,
            })  # fmt: skip
        images = [
            {"id": img["id"], "alt": img["alt"], "position": n + 1, "product_id": pid, "created_at": created,
             "updated_at": updated, "admin_graphql_api_id": catalog.gid("ProductImage", img["id"]),
             "width": img["width"], "height": img["height"], "src": self.image_url(shop, img), "variant_ids": []}
            for n, img in enumerate(record["images"])
        ]  # fmt: skip
        media = [
            {"id": img["id"], "product_id": pid, "position": n + 1, "created_at": created, "updated_at": updated,
             "alt": img["alt"], "status": "READY", "media_content_type": "IMAGE",
             "preview_image": {"width": img["width"], "height": img["height"], "src": self.image_url(shop, img),
                               "status": "READY"},
             "variant_ids": [], "admin_graphql_api_id": catalog.gid("MediaImage", img["id"])}
            for n, img in enumerate(record["images"])
        ]  # fmt: skip
        return {
            "admin_graphql_api_id": catalog.gid("Product", pid), "body_html": record["description_html"],
            "created_at": created, "handle": record["handle"], "id": pid, "product_type": record["product_type"],
            "published_at": created, "template_suffix": None, "title": record["title"], "updated_at": updated,
            "vendor": record["vendor"], "status": record["status"].lower(), "published_scope": "global",
            "tags": ", ".join(record["tags"]), "variants": variants,
            "options": [{"name": o["name"], "id": o["id"], "product_id": pid, "position": n + 1,
                         "values": o["values"]} for n, o in enumerate(record["options"])],
            "images": images, "image": images[0] if images else None, "media": media,
            "variant_gids": [{"admin_graphql_api_id": v["admin_graphql_api_id"], "updated_at": updated}
                             for v in variants],
            "has_variants_that_requires_components": False, "category": None,
        }  # fmt: skip

    def image_url(self, shop: str, image: dict, base: str | None = None) -> str:
        return f"{base or self.public_url + '/demo-store/' + shop}/cdn/{image['file']}"

    def order_payload(self, shop: str, order: dict) -> dict:
        lines, subtotal = [], 0.0
        for line in order["lines"]:
            product = self.product(shop, line["product_index"]) or catalog.base_product(
                0, line["product_index"]
            )
            variant = product["variants"][line["variant"]]
            subtotal += float(variant["price"]) * line["quantity"]
            lines.append({
                "id": line["id"], "admin_graphql_api_id": catalog.gid("LineItem", line["id"]),
                "product_id": product["id"], "variant_id": variant["id"], "title": product["title"],
                "variant_title": variant["title"], "name": f"{product['title']} - {variant['title']}",
                "sku": variant["sku"], "vendor": product["vendor"], "quantity": line["quantity"],
                "current_quantity": line["quantity"], "fulfillable_quantity": line["quantity"],
                "price": variant["price"], "requires_shipping": True, "taxable": True, "gift_card": False,
                "fulfillment_status": None, "total_discount": "0.00",
            })  # fmt: skip
        first, _, last = order["customer_name"].partition(" ")
        total = f"{subtotal:.2f}"
        return {
            "id": order["id"], "admin_graphql_api_id": catalog.gid("Order", order["id"]), "name": order["name"],
            "number": order["number"] - 1000, "order_number": order["number"], "email": order["email"],
            "contact_email": order["email"], "created_at": rest_time(order["created_at"]),
            "updated_at": rest_time(order["updated_at"]), "processed_at": rest_time(order["created_at"]),
            "currency": "USD", "presentment_currency": "USD", "financial_status": "paid",
            "fulfillment_status": None, "subtotal_price": total, "total_price": total, "total_tax": "0.00",
            "total_discounts": "0.00", "test": False, "line_items": lines,
            "customer": {"email": order["email"], "first_name": first, "last_name": last or None},
        }  # fmt: skip

    # --- firing -----------------------------------------------------------------------------------------

    def fire_product_webhook(self, shop: str, topic: str, record: dict) -> list[dict]:
        return self.fire(shop, topic, self.product_payload(shop, record))

    def fire_order_webhook(self, shop: str, order: dict) -> list[dict]:
        return self.fire(shop, "orders/create", self.order_payload(shop, order))

    def fire_inventory_webhook(self, shop: str, item_id: int, location_id: int, available: int) -> list[dict]:
        payload = {
            "inventory_item_id": item_id,
            "location_id": location_id,
            "available": available,
            "updated_at": rest_time(self.inventory_updated_at(shop, item_id) or self.now_iso()),
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
        }
        return self.fire(shop, "inventory_levels/update", payload)


def _post(url: str, body: bytes, headers: dict) -> None:
    try:
        response = requests.post(url, data=body, headers=headers, timeout=DELIVERY_TIMEOUT)
        log.info("demo-store webhook %s -> %s: %s", headers["X-Shopify-Topic"], url, response.status_code)
    except requests.RequestException as exc:
        log.warning("demo-store webhook %s -> %s failed: %s", headers["X-Shopify-Topic"], url, exc)
