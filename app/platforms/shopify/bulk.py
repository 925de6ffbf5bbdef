"""Bulk operations: export a shop's data as JSONL and fold it back into paged-node shape.

`bulkOperationRunQuery` runs one of the `BULK_INNER_QUERIES` in the background (several may run at once:
five per shop since 2026-01; a refusal raises `ShopifyBulkLimitReached`); we poll `bulkOperation(id:)`
(not the deprecated `currentBulkOperation`) and stream the result file line by line. In the JSONL every
connection node is its own line; children carry `__parentId` and, because we ask for `groupObjects: true`,
come right after their parent. The assemblers rebuild each root node with its connections as
`{"nodes": [...]}` - exactly the dict a paged node has - holding one root in memory at a time, never the file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import closing

from app.platforms.errors import ShopifyBulkOperationFailed, ShopifyError
from app.platforms.shopify import bulk_queries, queries

log = logging.getLogger(__name__)

FINISHED_BAD = {"FAILED", "CANCELED", "CANCELING", "EXPIRED"}


def bulk_products_query(query_filter: str | None = None) -> str:
    """The bulk products document, with a search filter inlined (bulk queries take no variables)."""
    if not query_filter:
        return queries.BULK_PRODUCTS_INNER_QUERY
    # A JSON string literal is a valid GraphQL string literal (same escapes), so this cannot inject.
    args = f"products(query: {json.dumps(query_filter)}) {{"
    return queries.BULK_PRODUCTS_INNER_QUERY.replace("products {", args, 1)


BULK_INNER_QUERIES = {
    "products": queries.BULK_PRODUCTS_INNER_QUERY,
    "variant_media": bulk_queries.BULK_VARIANT_MEDIA_INNER_QUERY,
    "orders": bulk_queries.BULK_ORDERS_INNER_QUERY,
    "locations": bulk_queries.BULK_LOCATIONS_INNER_QUERY,
}


def _grouped(lines: Iterable[bytes | str]) -> Iterator[tuple[dict, list[tuple[str, dict]]]]:
    """(root line, [(its child's `__parentId`, child line), ...]) per root, in file order."""
    root: dict | None = None
    children: list[tuple[str, dict]] = []
    ids: set[str] = set()
    for raw in lines:
        if not raw or not raw.strip():
            continue
        node = json.loads(raw)
        parent_id = node.pop("__parentId", None)
        if parent_id is None:
            if root is not None:
                yield root, children
            # Objects in a root's lists (an order's refunds) may hold a connection of their own.
            listed = (
                i.get("id") for v in node.values() if isinstance(v, list) for i in v if isinstance(i, dict)
            )
            root, children, ids = node, [], {node.get("id"), *listed}
            continue
        if root is None or parent_id not in ids:
            raise ShopifyError(
                f"bulk JSONL is not grouped: child of {parent_id} after {root and root.get('id')}"
            )
        children.append((parent_id, node))
        if node.get("id"):
            ids.add(node["id"])
    if root is not None:
        yield root, children


def assemble_bulk_variant_media(lines: Iterable[bytes | str]) -> Iterator[tuple[str, str | None]]:
    """(variant GID, its first media item's GID or None) per variant line."""
    for variant, children in _grouped(lines):
        yield variant["id"], next((child["id"] for _, child in children), None)


def assemble_bulk_orders(lines: Iterable[bytes | str]) -> Iterator[dict]:
    """Orders with `lineItems` as `{"nodes": [...]}` and each refund's `refundLineItems` likewise (a refund's
    line items may come as child lines of the refund or inline on it)."""
    for order, children in _grouped(lines):
        refunds = {r.get("id"): r for r in order.get("refunds") or []}
        order["lineItems"] = {"pageInfo": {"hasNextPage": False}, "nodes": []}
        for parent_id, child in children:
            if parent_id in refunds:
                connection = refunds[parent_id].get("refundLineItems")
                if not isinstance(connection, dict) or "nodes" not in connection:
                    connection = refunds[parent_id]["refundLineItems"] = {"nodes": []}
                connection["nodes"].append(child)
            else:
                order["lineItems"]["nodes"].append(child)
        yield order


def assemble_bulk_locations(lines: Iterable[bytes | str]) -> Iterator[tuple[dict, Iterator[dict]]]:
    """(location, a stream of every inventory level at it) per location line. The levels are not collected:
    a location of a 100,000-product shop has 300,000 of them. Read each stream before asking for the next
    location (what is left unread is skipped)."""
    nodes = (json.loads(raw) for raw in lines if raw and raw.strip())
    head = next(nodes, None)
    while head is not None:
        if "__parentId" in head:
            raise ShopifyError(
                f"bulk JSONL is not grouped: level of {head['__parentId']} before its location"
            )
        location, head = head, None

        def levels(location_id=location.get("id")) -> Iterator[dict]:
            nonlocal head
            for node in nodes:
                parent_id = node.pop("__parentId", None)
                if parent_id is None:
                    head = node
                    return
                if parent_id != location_id:
                    raise ShopifyError(f"bulk JSONL is not grouped: child of {parent_id} under {location_id}")
                yield node

        stream = levels()
        yield location, stream
        for _ in stream:
            pass


def _child_kind(node: dict) -> str:
    return "variants" if "/ProductVariant/" in str(node.get("id", "")) else "media"


def _start_product(node: dict) -> dict:
    node["variants"] = {"pageInfo": {"hasNextPage": False}, "nodes": []}
    node["media"] = {"nodes": []}
    return node


def assemble_bulk_products(lines: Iterable[bytes | str]) -> Iterator[dict]:
    """Yield one product dict per parent line, with its following child lines attached."""
    for root, children in _grouped(lines):
        product = _start_product(root)
        for parent_id, node in children:
            if parent_id != product.get("id"):  # a product's connections are all its own
                raise ShopifyError(
                    f"bulk JSONL is not grouped: child of {parent_id} under {product.get('id')}"
                )
            product[_child_kind(node)]["nodes"].append(node)
        yield product


ASSEMBLERS = {
    "products": assemble_bulk_products,
    "variant_media": assemble_bulk_variant_media,
    "orders": assemble_bulk_orders,
    "locations": assemble_bulk_locations,
}


class BulkOperationsMixin:
    """Bulk methods of ShopifyClient (needs `execute`, `_mutate`, `http`, `sleep`, `clock`)."""

    def run_bulk_products(self, query_filter: str | None = None) -> dict:
        """Start the products+variants+media export; returns `{id, status}`."""
        variables = {"query": bulk_products_query(query_filter)}
        payload = self._mutate(queries.BULK_OPERATION_RUN_QUERY_MUTATION, variables, "bulkOperationRunQuery")
        return payload["bulkOperation"]

    def run_bulk_query(self, kind: str) -> dict:
        """Start the `kind` export of `BULK_INNER_QUERIES`; returns `{id, status}`. Raises
        ShopifyBulkLimitReached when the shop runs as many bulk queries as Shopify allows."""
        payload = self._mutate(
            queries.BULK_OPERATION_RUN_QUERY_MUTATION,
            {"query": BULK_INNER_QUERIES[kind]},
            "bulkOperationRunQuery",
        )
        return payload["bulkOperation"]

    def get_bulk_operation(self, operation_id: str) -> dict | None:
        return self.execute(queries.BULK_OPERATION_QUERY, {"id": operation_id}).get("bulkOperation")

    def poll_bulk_operation(
        self,
        operation_id: str,
        *,
        interval: float = 2.0,
        max_interval: float = 30.0,
        timeout: float = 4 * 3600,
    ) -> dict:
        """Wait until COMPLETED and return the operation (`url` is None when the result is empty).

        Raises ShopifyBulkOperationFailed on FAILED/CANCELED/EXPIRED or when `timeout` seconds pass."""
        started = self.clock()
        wait = interval
        while True:
            operation = self.get_bulk_operation(operation_id)
            if operation is None:
                raise ShopifyBulkOperationFailed(f"bulk operation {operation_id} not found")
            status = operation.get("status")
            if status == "COMPLETED":
                return operation
            if status in FINISHED_BAD:
                raise ShopifyBulkOperationFailed(
                    f"bulk operation {operation_id} ended {status} ({operation.get('errorCode')})",
                    details=operation,
                )
            if self.clock() - started > timeout:
                raise ShopifyBulkOperationFailed(
                    f"bulk operation {operation_id} still {status} after {timeout}s"
                )
            self.sleep(wait)
            wait = min(max_interval, wait * 1.5)

    def iter_bulk_jsonl(self, url: str | None, kind: str = "products") -> Iterator:
        """Stream the result file (no auth header: the URL is pre-signed) and yield what `ASSEMBLERS[kind]`
        makes of it (products by default)."""
        if not url:
            return
        response = self.http.request("GET", url, stream=True)
        with closing(response):
            if response.status_code >= 400:
                raise ShopifyBulkOperationFailed(f"bulk result download answered {response.status_code}")
            yield from ASSEMBLERS[kind](response.iter_lines())
