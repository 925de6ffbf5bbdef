"""Webhook subscriptions and deliveries, shaped and signed like Shopify's.

Bodies are the REST resource for the topic (built in `rest_bodies.py`; whole-catalog replays in
`replay.py`), signed with base64
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
from app.demo_store.rest_bodies import rest_time

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

    # --- firing -----------------------------------------------------------------------------------------

    def fire_product_webhook(self, shop: str, topic: str, record: dict) -> list[dict]:
        return self.fire(shop, topic, self.product_payload(shop, record))

    def fire_order_webhook(self, shop: str, order: dict, topic: str = "orders/create") -> list[dict]:
        return self.fire(shop, topic, self.order_payload(shop, order))

    def inventory_payload(
        self, shop: str, item_id: int, location_id: int, available: int, since: str | None = None
    ) -> dict:
        """``since``: when a level never changed here last changed (its product's ``updated_at``, as the
        GraphQL level says); without it, now."""
        changed = self.inventory_updated_at(shop, item_id, location_id) or since or self.now_iso()
        return {
            "inventory_item_id": item_id,
            "location_id": location_id,
            "available": available,
            "updated_at": rest_time(changed),
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
        }

    def fire_inventory_webhook(self, shop: str, item_id: int, location_id: int, available: int) -> list[dict]:
        return self.fire(
            shop, "inventory_levels/update", self.inventory_payload(shop, item_id, location_id, available)
        )


def _post(url: str, body: bytes, headers: dict) -> None:
    try:
        response = requests.post(url, data=body, headers=headers, timeout=DELIVERY_TIMEOUT)
        log.info("demo-store webhook %s -> %s: %s", headers["X-Shopify-Topic"], url, response.status_code)
    except requests.RequestException as exc:
        log.warning("demo-store webhook %s -> %s failed: %s", headers["X-Shopify-Topic"], url, exc)
