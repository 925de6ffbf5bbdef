"""Signed Shopify `products/update` deliveries for the fault suite and the intake benchmark.

`product_body(i, version)` is shaped like Shopify's documented products/update sample (REST ids, `variants`,
`updated_at`), with a title and prices that name the version, so the final state tells which version won.
`plan(...)` builds a shuffled list of deliveries with re-deliveries (same X-Shopify-Webhook-Id, same body),
seeded. Plain data only: no app imports besides the signature helper.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.platforms.signatures import sign_shopify_body

BASE_ID = 9_100_000_000
EPOCH = datetime(2026, 10, 1, tzinfo=UTC)


def product_gid(i: int) -> str:
    return f"gid://shopify/Product/{BASE_ID + i}"


def title(i: int, version: int) -> str:
    return f"Fault product {i} v{version}"


def price(i: int, version: int) -> Decimal:
    return Decimal(10 + i % 50) + Decimal(version) / 100


def product_body(i: int, version: int) -> dict:
    updated = (EPOCH + timedelta(minutes=version)).strftime("%Y-%m-%dT%H:%M:%S-00:00")
    pid = BASE_ID + i
    variants = [
        {"id": pid * 10 + n, "admin_graphql_api_id": f"gid://shopify/ProductVariant/{pid * 10 + n}",
         "product_id": pid, "title": size, "option1": size, "position": n, "sku": f"F{i}-{size}",
         "price": str(price(i, version) + n - 1), "compare_at_price": None, "inventory_item_id": pid * 10 + n,
         "inventory_quantity": 5 + n, "updated_at": updated}
        for n, size in ((1, "Small"), (2, "Large"))
    ]  # fmt: skip
    return {
        "id": pid, "admin_graphql_api_id": product_gid(i), "title": title(i, version),
        "handle": f"fault-product-{i}", "body_html": f"<p>Version {version}</p>", "vendor": "Fault Suite",
        "product_type": "Test", "status": "active", "tags": "fault", "created_at": EPOCH.isoformat(),
        "updated_at": updated, "options": [{"name": "Size", "position": 1, "values": ["Small", "Large"]}],
        "variants": variants, "images": [],
    }  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    product: int
    version: int
    webhook_id: str
    body: bytes

    def headers(self, shop: str, secret: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": "products/update",
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Webhook-Id": self.webhook_id,
            "X-Shopify-API-Version": "2026-10",
            "X-Shopify-Hmac-Sha256": sign_shopify_body(secret, self.body),
        }


def plan(
    products: int, total: int, duplicate_share: float, seed: int
) -> tuple[list[Delivery], dict[int, int]]:
    """`total` deliveries for `products` products, `duplicate_share` of them re-deliveries, shuffled.
    Returns the deliveries and each product's newest version."""
    rng = random.Random(seed)
    unique = total - round(total * duplicate_share)
    versions = {i: 0 for i in range(products)}
    originals = []
    for n in range(unique):
        i = n % products
        versions[i] += 1
        body = json.dumps(product_body(i, versions[i]), separators=(",", ":")).encode()
        originals.append(Delivery(i, versions[i], f"fault-{seed}-{i}-{versions[i]}", body))
    deliveries = originals + [rng.choice(originals) for _ in range(total - unique)]
    rng.shuffle(deliveries)
    return deliveries, versions
