"""Completes the nested connections of a fetched node, so no product or order is stored in part.

A page asks for the first few media of each product and the first line items, fulfillments and refunds of
each order (the cost cap sets how many products or orders a page holds). A node whose connection says
`hasNextPage` has the rest read here, page after page from its `endCursor`, before it is mapped; a list
field (fulfillments, refunds have no cursor) that came back as long as asked for is read again with
Shopify's maximum, and one that still fills it fails loudly. Reads only through the client; writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.platforms.errors import ShopifyError
from app.platforms.shopify import queries

# 200 media or line items cost ~800 points, under the 1,000-point cap for one query.
CONNECTION_PAGE = 200
# What an orders page asks for per order (with them an orders page still holds 4 orders of 50 line items);
# more is read by ORDER_SHIPMENTS_QUERY, up to LIST_MAX.
FULFILLMENTS_FIRST = 2
REFUNDS_FIRST = 2
LIST_MAX = 250


def more_after(connection: dict | None) -> str | None:
    info = (connection or {}).get("pageInfo") or {}
    return info.get("endCursor") if info.get("hasNextPage") else None


def read_rest(client, document: str, root: str, field: str, node_id: str, after: str) -> Iterator[dict]:
    while after:
        variables = {"id": node_id, "first": CONNECTION_PAGE, "after": after}
        connection = ((client.execute(document, variables).get(root) or {}).get(field)) or {}
        yield from connection.get("nodes") or []
        after = more_after(connection)


def complete_product_media(client, node: dict) -> dict:
    after = more_after(node.get("media"))
    if after:
        rest = read_rest(client, queries.PRODUCT_MEDIA_PAGE_QUERY, "product", "media", node["id"], after)
        node["media"] = {"nodes": [*node["media"].get("nodes", []), *rest]}
    return node


def complete_order(client, node: dict) -> dict:
    after = more_after(node.get("lineItems"))
    if after:
        rest = read_rest(client, queries.ORDER_LINE_ITEMS_PAGE_QUERY, "order", "lineItems", node["id"], after)
        node["lineItems"] = {"nodes": [*node["lineItems"].get("nodes", []), *rest]}
    if (
        len(node.get("fulfillments") or []) >= FULFILLMENTS_FIRST
        or len(node.get("refunds") or []) >= REFUNDS_FIRST
    ):
        variables = {"id": node["id"], "fulfillmentsFirst": LIST_MAX, "refundsFirst": LIST_MAX}
        whole = client.execute(queries.ORDER_SHIPMENTS_QUERY, variables).get("order") or {}
        if len(whole.get("fulfillments") or []) >= LIST_MAX or len(whole.get("refunds") or []) >= LIST_MAX:
            raise ShopifyError(f"order {node['id']} has more than {LIST_MAX} fulfillments or refunds")
        node["fulfillments"], node["refunds"] = whole.get("fulfillments") or [], whole.get("refunds") or []
    for refund in node.get("refunds") or []:
        after = more_after(refund.get("refundLineItems"))
        if after:
            rest = read_rest(client, queries.REFUND_LINE_ITEMS_PAGE_QUERY, "refund", "refundLineItems", refund["id"],
                         after)  # fmt: skip
            refund["refundLineItems"] = {"nodes": [*refund["refundLineItems"].get("nodes", []), *rest]}
    return node
