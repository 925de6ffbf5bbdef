"""Every connection of the awkward catalog pages to the end and returns each node exactly once, in order."""

from __future__ import annotations

import pytest

from app.demo_store import catalog, locations
from tests.demo_store.conftest import AWKWARD_SHOP

PAGE = "pageInfo { hasNextPage endCursor }"


def gid(kind: str, numeric: int) -> str:
    return catalog.gid(kind, numeric)


def collect(agql, query: str, connection_of, **variables) -> list[dict]:
    """Every node of the connection ``connection_of(data)``, following ``endCursor`` to the last page."""
    after, seen, pages = None, [], 0
    while True:
        conn = connection_of(agql(query, {**variables, "after": after}))
        seen.extend(conn["nodes"])
        pages += 1
        assert pages < 100, "paging does not end"
        if not conn["pageInfo"]["hasNextPage"]:
            return seen
        after = conn["pageInfo"]["endCursor"]


def ids(nodes: list[dict]) -> list[str]:
    return [n["id"] for n in nodes]


@pytest.fixture
def snap(awkward):
    return awkward.snapshot(AWKWARD_SHOP)


def test_products_page_through_every_status_with_a_query(agql, snap):
    query = f"""query($after: String) {{ products(first: 5, after: $after, query: "status:active,draft,archived")
                {{ {PAGE} nodes {{ id status }} }} }}"""
    assert ids(collect(agql, query, lambda d: d["products"])) == [p["id"] for p in snap["products"]]
    drafts = agql('{ products(first: 10, query: "status:draft") { nodes { id } } }')["products"]["nodes"]
    assert ids(drafts) == [gid("Product", catalog.product_id(6))]
    counted = agql('{ a: productsCount(query: "status:active") { count } b: productsCount { count } }')
    assert (counted["a"]["count"], counted["b"]["count"]) == (
        len(snap["products"]) - 2,
        len(snap["products"]),
    )


def test_2048_variants_page_in_250s(agql, snap):
    query = f"""query($id: ID!, $after: String) {{ product(id: $id) {{
                variants(first: 250, after: $after) {{ {PAGE} nodes {{ id sku barcode title }} }} }} }}"""
    pid = gid("Product", catalog.product_id(2))
    nodes = collect(agql, query, lambda d: d["product"]["variants"], id=pid)
    expected = [v for v in snap["variants"] if v["productId"] == pid]
    assert len(nodes) == len(expected) == 2048
    assert nodes == [{k: v[k] for k in ("id", "sku", "barcode", "title")} for v in expected]


def test_250_media_page_in_order_with_alt_text(agql, snap):
    query = f"""query($id: ID!, $after: String) {{ product(id: $id) {{
                media(first: 100, after: $after) {{ {PAGE} nodes {{ id alt ... on MediaImage {{ image {{ altText }} }} }} }} }} }}"""
    pid = gid("Product", catalog.product_id(3))
    nodes = collect(agql, query, lambda d: d["product"]["media"], id=pid)
    expected = [m for m in snap["media"] if m["productId"] == pid]
    assert len(nodes) == len(expected) == 250
    assert [(n["id"], n["alt"], n["image"]["altText"]) for n in nodes] == [
        (m["id"], m["alt"], m["alt"]) for m in expected
    ]
    assert nodes[0]["alt"].endswith("view 1 of 250") and nodes[49]["alt"] == ""


def test_500_line_items_and_300_fulfilled_lines_page(agql, snap):
    order = gid("Order", catalog.order_id(0))
    query = f"""query($id: ID!, $after: String) {{ order(id: $id) {{
                lineItems(first: 250, after: $after) {{ {PAGE} nodes {{ id quantity unfulfilledQuantity }} }} }} }}"""
    lines = collect(agql, query, lambda d: d["order"]["lineItems"], id=order)
    assert ids(lines) == [li["id"] for li in snap["lineItems"] if li["orderId"] == order]
    assert len(lines) == 500 and sum(1 for li in lines if li["unfulfilledQuantity"]) == 50
    query = f"""query($id: ID!, $after: String) {{ order(id: $id) {{ fulfillments {{ id
                fulfillmentLineItems(first: 250, after: $after) {{ {PAGE} nodes {{ quantity lineItem {{ id }} }} }} }} }} }}"""
    assert len(agql(query, {"id": order, "after": None})["order"]["fulfillments"]) == 2
    first = collect(agql, query, lambda d: d["order"]["fulfillments"][0]["fulfillmentLineItems"], id=order)
    expected = next(f for f in snap["fulfillments"] if f["orderId"] == order)["lineItems"]
    assert len(first) == 300
    assert [(n["lineItem"]["id"], n["quantity"]) for n in first] == [
        (e["lineItemId"], e["quantity"]) for e in expected
    ]


def test_refund_lines_page(agql, snap):
    order = gid("Order", catalog.order_id(1))
    query = f"""query($id: ID!, $after: String) {{ order(id: $id) {{ refunds(first: 5) {{ id
                refundLineItems(first: 1, after: $after) {{ {PAGE} nodes {{ quantity restockType lineItem {{ id }} }} }} }} }} }}"""
    nodes = collect(agql, query, lambda d: d["order"]["refunds"][0]["refundLineItems"], id=order)
    (refund,) = [r for r in snap["refunds"] if r["orderId"] == order]
    assert [(n["lineItem"]["id"], n["quantity"], n["restockType"]) for n in nodes] == [
        (e["lineItemId"], e["quantity"], e["restockType"]) for e in refund["lineItems"]
    ]


def test_locations_page_and_hide_the_inactive_one_unless_asked(agql, snap):
    query = f"""query($after: String, $all: Boolean) {{ locations(first: 1, after: $after, includeInactive: $all)
                {{ {PAGE} nodes {{ id isActive fulfillsOnlineOrders }} }} }}"""
    everything = collect(agql, query, lambda d: d["locations"], all=True)
    assert ids(everything) == [loc["id"] for loc in snap["locations"]]
    active = collect(agql, query, lambda d: d["locations"], all=False)
    assert ids(active) == [loc["id"] for loc in snap["locations"] if loc["isActive"]]
    assert [n["fulfillsOnlineOrders"] for n in active] == [True, True, False]


def test_inventory_levels_page_per_location_and_per_item(agql, snap):
    query = f"""query($id: ID!, $after: String) {{ location(id: $id) {{
                inventoryLevels(first: 250, after: $after) {{ {PAGE} nodes {{ id
                  quantities(names: ["available", "on_hand", "committed"]) {{ name quantity }} }} }} }} }}"""
    for loc in locations.AWKWARD:
        location_gid = gid("Location", loc["id"])
        nodes = collect(agql, query, lambda d: d["location"]["inventoryLevels"], id=location_gid)
        expected = [lv for lv in snap["inventoryLevels"] if lv["locationId"] == location_gid]
        assert len(nodes) == len(expected)
        assert [(n["id"], {q["name"]: q["quantity"] for q in n["quantities"]}) for n in nodes] == [
            (e["id"], {"available": e["available"], "on_hand": e["on_hand"], "committed": e["committed"]})
            for e in expected
        ]
    assert not [lv for lv in snap["inventoryLevels"] if lv["locationId"] == gid("Location", locations.DEPOT)]
    variant = next(
        v for v in snap["variants"] if v["position"] == 1 and v["productId"].endswith("/8000000000002")
    )
    query = f"""query($id: ID!, $after: String) {{ productVariant(id: $id) {{ inventoryQuantity inventoryItem {{
                inventoryLevels(first: 1, after: $after) {{ {PAGE} nodes {{ location {{ name }}
                  quantities(names: ["available"]) {{ quantity }} }} }} }} }} }}"""
    levels = collect(
        agql, query, lambda d: d["productVariant"]["inventoryItem"]["inventoryLevels"], id=variant["id"]
    )
    assert [(n["location"]["name"], n["quantities"][0]["quantity"]) for n in levels] == [
        ("Lisbon warehouse", 4),
        ("Porto store", 6),
    ]


def test_collections_and_their_products_page_both_ways(agql, snap):
    query = f"""query($after: String) {{ collections(first: 2, after: $after) {{ {PAGE} nodes {{ id
                ruleSet {{ appliedDisjunctively rules {{ column relation condition }} }} }} }} }}"""
    found = collect(agql, query, lambda d: d["collections"])
    assert [(n["id"], n["ruleSet"]) for n in found] == [(c["id"], c["ruleSet"]) for c in snap["collections"]]
    query = f"""query($id: ID!, $after: String) {{ collection(id: $id) {{ productsCount {{ count }}
                products(first: 2, after: $after) {{ {PAGE} nodes {{ id }} }} }} }}"""
    for c in snap["collections"]:
        assert ids(collect(agql, query, lambda d: d["collection"]["products"], id=c["id"])) == c["productIds"]
    query = f"""query($id: ID!, $after: String) {{ product(id: $id) {{
                collections(first: 1, after: $after) {{ {PAGE} nodes {{ id }} }} }} }}"""
    for p in snap["products"]:
        assert (
            ids(collect(agql, query, lambda d: d["product"]["collections"], id=p["id"])) == p["collectionIds"]
        )
    assert max(len(p["collectionIds"]) for p in snap["products"]) >= 3  # products sit in several collections
    smart = agql('{ collections(first: 10, query: "collection_type:smart") { nodes { id } } }')["collections"]
    assert ids(smart["nodes"]) == [c["id"] for c in snap["collections"] if c["kind"] == "smart"]


@pytest.mark.parametrize(
    "field",
    [
        "products(first: 251) { nodes { id } }",
        'product(id: "gid://shopify/Product/8000000000003") { variants(first: 251) { nodes { id } } }',
        'location(id: "gid://shopify/Location/70000000001") { inventoryLevels(first: 300) { nodes { id } } }',
        'order(id: "gid://shopify/Order/5000000000001") { lineItems(first: 500) { nodes { id } } }',
    ],
)
def test_a_page_larger_than_250_is_refused(gql, awkward, field):
    body = gql("{ %s }" % field, shop=AWKWARD_SHOP).json()  # noqa: UP031 - GraphQL braces
    assert body["errors"][0]["message"].endswith("must be between 0 and 250.")


def test_pages_are_charged_like_shopify_and_refunded_to_what_they_held(gql, awkward, clock):
    awkward.throttle.configure(AWKWARD_SHOP)  # the bucket back on
    query = (
        """{ product(id: "gid://shopify/Product/8000000000001") { variants(first: 250) { nodes { id } } } }"""
    )
    body = gql(query, shop=AWKWARD_SHOP).json()
    cost = body["extensions"]["cost"]
    assert len(body["data"]["product"]["variants"]["nodes"]) == 1
    assert cost["actualQueryCost"] < cost["requestedQueryCost"]
    assert cost["throttleStatus"]["currentlyAvailable"] == 2000 - cost["actualQueryCost"]


def test_inventory_items_page_through_every_variant(agql, snap):
    query = f"""query($after: String) {{ inventoryItems(first: 250, after: $after) {{ {PAGE} nodes {{ id sku }} }} }}"""
    assert ids(collect(agql, query, lambda d: d["inventoryItems"])) == [
        v["inventoryItemId"] for v in snap["variants"]
    ]
