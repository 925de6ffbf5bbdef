"""ShopifyClient: the Admin GraphQL API for one shop, with throttling, token refresh and typed errors.

Takes plain values (shop domain, a token or a `TokenSource`, the API version, URL template) and returns plain
dicts shaped exactly like the GraphQL nodes in `queries.py`. It never touches the database: the DB-locked token
refresh lives in a service above and is handed in as a `TokenSource`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import requests

from app.platforms.errors import (
    ShopifyAuthError,
    ShopifyError,
    ShopifyThrottled,
    ShopifyUnavailable,
    has_error_code,
    shopify_graphql_error,
    shopify_user_error,
)
from app.platforms.http import DEFAULT_POLICY, DEFAULT_TIMEOUT, HttpTransport, RetryPolicy
from app.platforms.shopify import checkout_queries, queries
from app.platforms.shopify.bulk import BulkOperationsMixin
from app.platforms.shopify.cost import requested_cost
from app.platforms.shopify.product_writes import ProductWritesMixin
from app.platforms.shopify.throttle import CostBucket, page_size_for, throttled_wait

log = logging.getLogger(__name__)

DEFAULT_BASE_URL_TEMPLATE = "https://{shop}"
MAX_THROTTLED_RETRIES = 100  # each one waits for the bucket to refill, so this is "practically never"


class TokenSource(Protocol):
    """Where the client gets its access token. The real one (DB-locked refresh) lives in a service."""

    def get(self) -> str: ...

    def refresh_after_unauthorized(self, old_token: str) -> str:
        """Called once after a 401 with the token that was refused; returns a fresh token or raises."""
        ...


class StaticToken:
    """A token that never changes (custom apps, tests, the demo store). A 401 is final."""

    def __init__(self, token: str):
        self.token = token

    def get(self) -> str:
        return self.token

    def refresh_after_unauthorized(self, old_token: str) -> str:
        raise ShopifyAuthError("Shopify refused the static access token (401)", status=401)


@dataclass
class Page:
    """One page of a connection; persist `end_cursor` after handling `nodes` to resume there later."""

    nodes: list[dict]
    end_cursor: str | None
    has_next_page: bool
    cost: dict = field(default_factory=dict)


@dataclass
class InventoryLevel:
    inventory_item_id: str
    location_id: str
    available: int | None
    tracked: bool
    updated_at: str | None = None


class ShopifyClient(BulkOperationsMixin, ProductWritesMixin):
    def __init__(
        self,
        shop_domain: str,
        access_token: str | None = None,
        *,
        token_source: TokenSource | None = None,
        api_version: str,  # required: `SHOPIFY_API_VERSION` (app.config) is the one place a version is named
        base_url_template: str = DEFAULT_BASE_URL_TEMPLATE,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        if token_source is None:
            if not access_token:
                raise ValueError("ShopifyClient needs access_token or token_source")
            token_source = StaticToken(access_token)
        self.shop_domain = shop_domain
        self.token_source = token_source
        self.api_version = api_version
        self.base_url = base_url_template.replace("{shop}", shop_domain).rstrip("/")
        self.endpoint = f"{self.base_url}/admin/api/{api_version}/graphql.json"
        self.sleep = sleep
        self.clock = clock
        self.bucket = CostBucket(clock)
        self.http = HttpTransport(
            platform="Shopify",
            session=session,
            policy=policy,
            sleep=sleep,
            timeout=timeout,
            unavailable=ShopifyUnavailable,
        )

    # --- core -----------------------------------------------------------------------------------------

    def execute(self, document: str, variables: dict | None = None) -> dict:
        """Run one document; return `data`. Waits for the cost bucket, refreshes the token once on 401,
        retries THROTTLED after the restore; raises ShopifyError (with `errors`) on GraphQL errors."""
        variables = variables or {}
        cost = requested_cost(document, variables)
        if cost > self.bucket.max_query_cost:
            raise ShopifyError(
                f"requested cost {cost} exceeds the single query limit {self.bucket.max_query_cost}",
                errors=[{"message": "MAX_COST_EXCEEDED", "extensions": {"code": "MAX_COST_EXCEEDED"}}],
            )
        token = self.token_source.get()
        refreshed = False
        throttled = 0
        while True:
            wait = self.bucket.wait_for(cost)
            if wait > 0:
                log.info("shopify %s: waiting %.2fs for %d cost points", self.shop_domain, wait, cost)
                self.sleep(wait)
            self.bucket.spend(cost)
            response = self.http.request(
                "POST",
                self.endpoint,
                json={"query": document, "variables": variables},
                headers={"X-Shopify-Access-Token": token, "Content-Type": "application/json"},
            )
            if response.status_code == 401:
                if refreshed:
                    raise ShopifyAuthError("Shopify refused the token again after a refresh", status=401)
                token = self.token_source.refresh_after_unauthorized(token)
                refreshed = True
                continue
            body = _json_or_error(response)
            extensions = body.get("extensions")
            self.bucket.observe(extensions)
            errors = body.get("errors")
            if errors and has_error_code(errors, "THROTTLED"):
                throttled += 1
                if throttled > MAX_THROTTLED_RETRIES:
                    raise ShopifyThrottled("still THROTTLED after many waits", errors=errors)
                self.sleep(throttled_wait(extensions, cost))
                continue
            if errors:
                raise shopify_graphql_error(errors)
            return body.get("data") or {}

    def _mutate(self, document: str, variables: dict, payload_key: str) -> dict:
        payload = self.execute(document, variables).get(payload_key) or {}
        user_errors = payload.get("userErrors") or []
        if user_errors:
            raise shopify_user_error(payload_key, user_errors)
        return payload

    def _pages(self, document: str, root: str, variables: dict, page_size: int | None,
               tune: Callable[[], dict] | None = None) -> Iterator[Page]:  # fmt: skip
        """Follow the cursor; `tune()`, when given, may change the variables before each request."""
        while True:
            if tune is not None:
                variables = {**variables, **tune()}
            size = page_size_for(
                lambda n, v=variables: requested_cost(document, {**v, "first": n}),
                self.bucket.max_query_cost,
                page_size,
            )
            data = self.execute(document, {**variables, "first": size})
            connection = data.get(root) or {}
            info = connection.get("pageInfo") or {}
            page = Page(
                nodes=connection.get("nodes") or [],
                end_cursor=info.get("endCursor"),
                has_next_page=bool(info.get("hasNextPage")),
            )
            yield page
            if not page.has_next_page or not page.end_cursor:
                return
            variables = {**variables, "after": page.end_cursor}

    # --- reads ----------------------------------------------------------------------------------------

    def get_shop(self) -> dict:
        """`{name, currencyCode, myshopifyDomain}`; the cheapest call that proves the token works."""
        return self.execute(queries.SHOP_QUERY)["shop"]

    def get_first_location_id(self) -> str | None:
        """The gid of the shop's first active location (where inventory write-backs go); None if it has none."""
        nodes = (self.execute(queries.FIRST_LOCATION_QUERY).get("locations") or {}).get("nodes") or []
        return nodes[0].get("id") if nodes else None

    def iter_product_pages(
        self,
        query: str | None = None,
        after: str | None = None,
        page_size: int | None = None,
        *,
        variants_first: int = 50,
        media_first: int = 5,
        tune: Callable[[], dict] | None = None,
    ) -> Iterator[Page]:
        """Products sorted by UPDATED_AT, one page at a time, page size tuned to stay under the cost cap.

        `tune()` may return new `variantsFirst`/`mediaFirst` before each page (the page size follows)."""
        variables = {
            "after": after,
            "query": query,
            "variantsFirst": variants_first,
            "mediaFirst": media_first,
        }
        yield from self._pages(queries.PRODUCTS_PAGE_QUERY, "products", variables, page_size, tune)

    def product_page_size(self, variants_first: int, media_first: int, page_size: int | None = None) -> int:
        """How many products `iter_product_pages` asks for per page with these nested sizes."""
        variables = {"after": None, "query": None, "variantsFirst": variants_first, "mediaFirst": media_first}
        return page_size_for(
            lambda n: requested_cost(queries.PRODUCTS_PAGE_QUERY, {**variables, "first": n}),
            self.bucket.max_query_cost,
            page_size,
        )

    def iter_order_pages(
        self,
        query: str | None = None,
        after: str | None = None,
        page_size: int | None = None,
        *,
        line_items_first: int = 50,
        fulfillments_first: int = 5,
        refunds_first: int = 5,
    ) -> Iterator[Page]:
        variables = {"after": after, "query": query, "lineItemsFirst": line_items_first,
                     "fulfillmentsFirst": fulfillments_first, "refundsFirst": refunds_first}  # fmt: skip
        yield from self._pages(queries.ORDERS_PAGE_QUERY, "orders", variables, page_size)

    def iter_abandoned_checkout_pages(
        self, query: str | None = None, after: str | None = None, page_size: int | None = None
    ) -> Iterator[Page]:
        """Every abandoned checkout matching the search `query`, a page at a time (see `checkout_queries`)."""
        variables = {"after": after, "query": query}
        yield from self._pages(checkout_queries.ABANDONED_CHECKOUTS_PAGE_QUERY, "abandonedCheckouts", variables,
                               page_size)  # fmt: skip

    def iter_audit_pages(self, variants_first: int = 5) -> Iterator[Page]:
        """Every product's id, `updatedAt`, title, handle and first variants with their stock (the drift
        audit); as many products a page as the cost cap allows."""
        yield from self._pages(
            queries.AUDIT_PRODUCTS_QUERY, "products", {"variantsFirst": variants_first}, None
        )

    def iter_audit_orders(self) -> Iterator[Page]:
        """Every order's id and `updatedAt` (the drift audit)."""
        yield from self._pages(queries.AUDIT_ORDERS_QUERY, "orders", {}, None)

    def iter_connection(
        self,
        document: str,
        root: str,
        field: str,
        node_id: str,
        *,
        first: int = 250,
        after: str | None = None,
    ) -> Iterator[dict]:
        """Every node of `root(id: node_id) { field }` from `after` (from the start when None), page by page:
        the one pager of a node's nested connection (variants, media, line items, levels, ...)."""
        while True:
            variables = {"id": node_id, "first": first, "after": after}
            connection = ((self.execute(document, variables).get(root) or {}).get(field)) or {}
            yield from connection.get("nodes") or []
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                return
            after = info["endCursor"]

    def iter_audit_variants(self, product_id: str, after: str | None = None) -> Iterator[dict]:
        """The rest of one product's variants (id, sku, price, stock) after `after`."""
        return self.iter_connection(
            queries.AUDIT_VARIANTS_QUERY, "product", "variants", product_id, after=after
        )

    def get_product(
        self, product_id: str, *, variants_first: int = 100, media_first: int = 10
    ) -> dict | None:
        variables = {"id": product_id, "variantsFirst": variants_first, "mediaFirst": media_first}
        return self.execute(queries.PRODUCT_BY_ID_QUERY, variables).get("product")

    def get_inventory_level(self, inventory_item_id: str, location_id: str) -> InventoryLevel | None:
        """The current `available` quantity, to use as `change_from_quantity`; None if the item is gone."""
        variables = {"inventoryItemId": inventory_item_id, "locationId": location_id}
        item = self.execute(queries.INVENTORY_LEVEL_QUERY, variables).get("inventoryItem")
        if item is None:
            return None
        level = item.get("inventoryLevel") or {}
        available = next((q for q in level.get("quantities") or [] if q.get("name") == "available"), None)
        return InventoryLevel(
            inventory_item_id=inventory_item_id,
            location_id=location_id,
            available=available["quantity"] if available else None,
            tracked=bool(item.get("tracked")),
            updated_at=available.get("updatedAt") if available else None,
        )

    # --- writes ---------------------------------------------------------------------------------------

    def adjust_inventory(
        self,
        changes: list[dict],
        idempotency_key: str,
        *,
        reason: str = "correction",
        reference_document_uri: str | None = None,
        name: str = "available",
    ) -> dict:
        """Apply deltas with compare-and-set. `changes`: `{inventory_item_id, location_id, delta,
        change_from_quantity}`. The key goes in `@idempotent(key:)`; HTTP retries resend the same key.
        Raises ShopifyStaleQuantity (re-read, then retry with a NEW key) or ShopifyIdempotencyMismatch."""
        if not idempotency_key:
            raise ValueError("adjust_inventory needs an idempotency_key")
        payload_changes = []
        for change in changes:
            if change.get("change_from_quantity") is None:
                raise ValueError("every inventory change needs change_from_quantity (compare-and-set)")
            payload_changes.append(
                {
                    "inventoryItemId": change["inventory_item_id"],
                    "locationId": change["location_id"],
                    "delta": int(change["delta"]),
                    "changeFromQuantity": int(change["change_from_quantity"]),
                }
            )
        input_ = {"name": name, "reason": reason, "changes": payload_changes}
        if reference_document_uri:
            input_["referenceDocumentUri"] = reference_document_uri
        variables = {"input": input_, "idempotencyKey": idempotency_key}
        payload = self._mutate(
            queries.INVENTORY_ADJUST_QUANTITIES_MUTATION, variables, "inventoryAdjustQuantities"
        )
        return payload.get("inventoryAdjustmentGroup") or {}

    def create_webhook(self, topic: str, uri: str) -> dict:
        """Subscribe `topic` (e.g. "PRODUCTS_UPDATE") to `uri`; returns `{id, topic, uri}`."""
        variables = {"topic": topic, "uri": uri}
        payload = self._mutate(
            queries.WEBHOOK_SUBSCRIPTION_CREATE_MUTATION, variables, "webhookSubscriptionCreate"
        )
        return payload["webhookSubscription"]

    def delete_webhook(self, subscription_id: str) -> str | None:
        payload = self._mutate(
            queries.WEBHOOK_SUBSCRIPTION_DELETE_MUTATION, {"id": subscription_id}, "webhookSubscriptionDelete"
        )
        return payload.get("deletedWebhookSubscriptionId")

    def list_webhooks(self) -> list[dict]:
        found: list[dict] = []
        for page in self._pages(queries.WEBHOOK_SUBSCRIPTIONS_QUERY, "webhookSubscriptions", {}, 100):
            found.extend(page.nodes)
        return found


# --- error mapping -----------------------------------------------------------------------------------


def _json_or_error(response: requests.Response) -> dict[str, Any]:
    status = response.status_code
    if status == 403:
        raise ShopifyAuthError(
            "Shopify answered 403: the app lacks a required access scope",
            status=status,
            merchant_message="The Shopify app is missing a permission. Please reconnect and approve it.",
        )
    if status == 402:
        raise ShopifyError(
            "Shopify answered 402: the store is frozen (unpaid)",
            status=status,
            merchant_message="Your Shopify store is paused, so we cannot reach it.",
        )
    if status in (404, 423):
        raise ShopifyError(
            f"Shopify answered {status}: shop unavailable or locked",
            status=status,
            merchant_message="Your Shopify store could not be found or is locked.",
        )
    try:
        # orjson: a products page is tens of kilobytes, and parsing it is a large share of the client's time.
        body = orjson.loads(response.content)
    except ValueError as exc:
        raise ShopifyError(f"Shopify answered HTTP {status} with a non-JSON body", status=status) from exc
    if status >= 400:
        errors = body.get("errors") if isinstance(body, dict) else None
        raise ShopifyError(
            f"Shopify answered HTTP {status}: {errors}",
            status=status,
            errors=errors if isinstance(errors, list) else [{"message": str(errors)}],
        )
    return body if isinstance(body, dict) else {}
