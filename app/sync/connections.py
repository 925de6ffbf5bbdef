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
VARIANTS_PAGE = 150  # with each variant's image id, 150 stay under the 1,000-point cap


def more_after(connection: dict | None) -> str | None:
    info = (connection or {}).get("pageInfo") or {}
    return info.get("endCursor") if info.get("hasNextPage") else None


def read_rest(
    client, document: str, root: str, field: str, node_id: str, after: str | None
) -> Iterator[dict]:
    """The rest of a connection after `after` (nothing when there is no rest)."""
    if not after:
        return iter(())
    return client.iter_connection(document, root, field, node_id, first=CONNECTION_PAGE, after=after)


def all_variants(client, product_gid: str) -> Iterator[dict]:
    """Every variant of one product. A products page asks `variants { pageInfo { hasNextPage } }` alone (no
    cursor, so the page stays cheap), so a product it found longer is read again from the start."""
    return client.iter_connection(
        queries.PRODUCT_VARIANTS_PAGE_QUERY, "product", "variants", product_gid, first=VARIANTS_PAGE
    )


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
