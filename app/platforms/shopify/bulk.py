"""Bulk operations: export the whole catalog as JSONL and fold it back into paged-node shape.

`bulkOperationRunQuery` runs `BULK_PRODUCTS_INNER_QUERY` in the background; we poll `bulkOperation(id:)`
(not the deprecated `currentBulkOperation`) and stream the result file line by line. In the JSONL every
connection node is its own line; children carry `__parentId` and, because we ask for `groupObjects: true`,
come right after their parent. `assemble_bulk_products` rebuilds each product with `variants` and `media`
as `{"nodes": [...]}` - exactly the dict a paged `products` node has - holding one product in memory at a
time, never the file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import closing

from app.platforms.errors import ShopifyBulkOperationFailed, ShopifyError
from app.platforms.shopify import queries

log = logging.getLogger(__name__)

FINISHED_BAD = {"FAILED", "CANCELED", "CANCELING", "EXPIRED"}


def bulk_products_query(query_filter: str | None = None) -> str:
    """The bulk products document, with a search filter inlined (bulk queries take no variables)."""
    if not query_filter:
        return queries.BULK_PRODUCTS_INNER_QUERY
    # A JSON string literal is a valid GraphQL string literal (same escapes), so this cannot inject.
    args = f"products(query: {json.dumps(query_filter)}) {{"
    return queries.BULK_PRODUCTS_INNER_QUERY.replace("products {", args, 1)


def _child_kind(node: dict) -> str:
    return "variants" if "/ProductVariant/" in str(node.get("id", "")) else "media"


def _start_product(node: dict) -> dict:
    node["variants"] = {"pageInfo": {"hasNextPage": False}, "nodes": []}
    node["media"] = {"nodes": []}
    return node


def assemble_bulk_products(lines: Iterable[bytes | str]) -> Iterator[dict]:
    """Yield one product dict per parent line, with its following child lines attached."""
    current: dict | None = None
    for raw in lines:
        if not raw or not raw.strip():
            continue
        node = json.loads(raw)
        parent_id = node.pop("__parentId", None)
        if parent_id is None:
            if current is not None:
                yield current
            current = _start_product(node)
            continue
        if current is None or parent_id != current.get("id"):
            raise ShopifyError(
                f"bulk JSONL is not grouped: child of {parent_id} after {current and current.get('id')}"
            )
        current[_child_kind(node)]["nodes"].append(node)
    if current is not None:
        yield current


class BulkOperationsMixin:
    """Bulk methods of ShopifyClient (needs `execute`, `_mutate`, `http`, `sleep`, `clock`)."""

    def run_bulk_products(self, query_filter: str | None = None) -> dict:
        """Start the products+variants+media export; returns `{id, status}`."""
        variables = {"query": bulk_products_query(query_filter)}
        payload = self._mutate(queries.BULK_OPERATION_RUN_QUERY_MUTATION, variables, "bulkOperationRunQuery")
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

    def iter_bulk_jsonl(self, url: str | None) -> Iterator[dict]:
        """Stream the result file (no auth header: the URL is pre-signed) and yield assembled products."""
        if not url:
            return
        response = self.http.request("GET", url, stream=True)
        with closing(response):
            if response.status_code >= 400:
                raise ShopifyBulkOperationFailed(f"bulk result download answered {response.status_code}")
            yield from assemble_bulk_products(response.iter_lines())
