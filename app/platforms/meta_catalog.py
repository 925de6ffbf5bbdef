"""Meta Graph API: the shared Graph client base and the Commerce catalog (items_batch) client.

Graph base URL and version are passed in: the version is a required keyword, set from the one setting
`META_GRAPH_VERSION` (`app.config`) by `app.integrations.clients`; no version is named here.
`product_to_catalog_items` and `retailer_id_for` are pure: the sync layer turns rows into plain dicts,
these turn plain dicts into Meta's item format.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import requests

from app.platforms.errors import MetaError, MetaUnavailable, meta_error_from_body
from app.platforms.http import DEFAULT_POLICY, DEFAULT_TIMEOUT, HttpTransport, RetryPolicy

DEFAULT_GRAPH_BASE = "https://graph.facebook.com"
# items_batch accepts at most 5,000 requests per call (Meta recommends under 3,000 for speed, and a
# payload under 28 MB).
ITEMS_BATCH_MAX = 5000
TITLE_MAX = 200
DESCRIPTION_MAX = 9999


class MetaGraphClient:
    """One Graph session with the shared retry policy and Meta error mapping."""

    def __init__(
        self,
        access_token: str,
        *,
        version: str,
        graph_base: str = DEFAULT_GRAPH_BASE,
        session: requests.Session | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        self.access_token = access_token
        self.base = f"{graph_base.rstrip('/')}/{version}"
        self.clock = clock
        self.http = HttpTransport(
            platform="Meta",
            session=session,
            policy=policy,
            sleep=sleep,
            timeout=timeout,
            unavailable=MetaUnavailable,
        )

    def _call(self, method: str, path: str, **kwargs) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.access_token}", **kwargs.pop("headers", {})}
        response = self.http.request(method, f"{self.base}/{path.lstrip('/')}", headers=headers, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or (isinstance(body, dict) and "error" in body):
            raise meta_error_from_body(body, response.status_code)
        if not isinstance(body, dict):
            raise MetaError(
                f"Meta answered HTTP {response.status_code} without JSON", status=response.status_code
            )
        return body


class MetaCatalogClient(MetaGraphClient):
    def get_catalog(self, catalog_id: str) -> dict:
        """`{id, name, product_count}`; proves the token can see the catalog."""
        return self._call("GET", catalog_id, params={"fields": "id,name,product_count"})

    def items_batch(
        self, catalog_id: str, requests_: list[dict], *, chunk_size: int = ITEMS_BATCH_MAX
    ) -> list[str]:
        """Send CREATE/UPDATE/DELETE item requests in chunks of at most 5,000; return all batch handles."""
        chunk_size = max(1, min(chunk_size, ITEMS_BATCH_MAX))
        handles: list[str] = []
        for start in range(0, len(requests_), chunk_size):
            body = {
                "item_type": "PRODUCT_ITEM",
                "allow_upsert": True,
                "requests": requests_[start : start + chunk_size],
            }
            answer = self._call("POST", f"{catalog_id}/items_batch", json=body)
            handles.extend(answer.get("handles") or [])
        return handles

    def check_batch_status(self, catalog_id: str, handle: str) -> dict:
        """`{handle, status, errors_total_count, errors, warnings, ...}`; status "finished" when done."""
        answer = self._call(
            "GET",
            f"{catalog_id}/check_batch_request_status",
            params={"handle": handle, "load_ids_of_invalid_requests": "true"},
        )
        data = answer.get("data") or [{}]
        return data[0]


# --- pure helpers ------------------------------------------------------------------------------------

_GID_RE = re.compile(r"^gid://shopify/(?P<kind>[A-Za-z]+)/(?P<id>\d+)")
_KIND_PREFIX = {"ProductVariant": "variant", "Product": "product"}


def retailer_id_for(shopify_id: str | int, kind: str = "variant") -> str:
    """Stable catalog retailer id for a Shopify variant (default) or product.

    `gid://shopify/ProductVariant/123` and `123` both give `"variant-123"`; a product gid gives
    `"product-456"`. Never change this mapping: WhatsApp messages reference items by it.
    """
    text = str(shopify_id).strip()
    match = _GID_RE.match(text)
    if match:
        return f"{_KIND_PREFIX.get(match['kind'], match['kind'].lower())}-{match['id']}"
    if text.isdigit():
        return f"{kind}-{text}"
    raise ValueError(f"not a Shopify id: {shopify_id!r}")


def format_price(amount: Decimal | str | float | int, currency: str) -> str:
    """Meta's price format: amount with two decimals, a space, ISO 4217 code - "12.34 USD"."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value} {currency.upper()}"


def availability(quantity: int | None) -> str:
    """None means Shopify does not track stock for it: sellable."""
    return "in stock" if quantity is None or quantity > 0 else "out of stock"


def _plain_text(value: str | None) -> str:
    text = re.sub(r"<[^>]+>", " ", value or "")
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def product_to_catalog_items(product: dict, *, method: str = "UPDATE", condition: str = "new") -> list[dict]:
    """Turn one plain product dict into items_batch requests, one per variant (or one for the product).

    `product`: `{id, title, description, price, currency, available, image_url, link, brand,
    variants: [{id, title, price, compare_at_price, available, image_url}]}`; variant values override the
    product's, and variants share `item_group_id` = the product's retailer id.
    """
    variants = product.get("variants") or [None]
    group_id = retailer_id_for(product["id"], kind="product") if product.get("variants") else None
    items = []
    for variant in variants:
        merged = {**product, **(variant or {})}
        title = product.get("title") or ""
        if variant and variant.get("title") and variant["title"] != "Default Title":
            title = f"{title} - {variant['title']}"
        description = _plain_text(product.get("description")) or title
        data: dict[str, Any] = {
            "id": retailer_id_for(merged["id"], kind="variant" if variant else "product"),
            "title": title[:TITLE_MAX],
            "description": description[:DESCRIPTION_MAX],
            "availability": availability(merged.get("available")),
            "condition": condition,
            "price": format_price(merged["price"], merged["currency"]),
            "link": merged.get("link"),
            "image_link": merged.get("image_url"),
            "brand": merged.get("brand") or None,
        }
        compare_at = merged.get("compare_at_price")
        if compare_at and Decimal(str(compare_at)) > Decimal(str(merged["price"])):
            # Meta shows a sale when `sale_price` is below `price`: the regular price is compare-at.
            data["sale_price"] = data["price"]
            data["price"] = format_price(compare_at, merged["currency"])
        if group_id:
            data["item_group_id"] = group_id
        items.append({"method": method, "data": {k: v for k, v in data.items() if v is not None}})
    return items


def catalog_delete_requests(retailer_ids: Iterable[str]) -> list[dict]:
    return [{"method": "DELETE", "data": {"id": rid}} for rid in retailer_ids]
