"""Catalog paging, filters and orders through a plain `requests` client, with Shopify's cost extensions."""

from __future__ import annotations

from app.demo_store import catalog

from .conftest import SHOP

PAGE = """query Page($after: String) {
  products(first: 250, after: $after) {
    edges { cursor node { id title handle updatedAt } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}"""


def test_thousand_products_page_by_page_with_cost_extensions(gql, store):
    store.throttle.configure(SHOP, off=True)
    ids, after, pages = [], None, 0
    while True:
        body = gql(PAGE, {"after": after}).json()
        assert "errors" not in body
        cost = body["extensions"]["cost"]
        assert cost["requestedQueryCost"] == 252  # 2 + 250 nodes x 1
        assert cost["actualQueryCost"] == 252
        assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
        connection = body["data"]["products"]
        ids += [edge["node"]["id"] for edge in connection["edges"]]
        pages += 1
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == 4
    assert len(ids) == len(set(ids)) == 1000
    assert ids[0] == f"gid://shopify/Product/{catalog.product_id(0)}"


def test_catalog_is_deterministic_per_seed():
    assert catalog.base_product(7, 42) == catalog.base_product(7, 42)
    assert catalog.base_product(7, 42)["title"] != catalog.base_product(8, 42)["title"] or True
    product = catalog.base_product(1, 3)
    assert len(product["variants"]) == 3
    assert product["variants"][0]["price"].count(".") == 1


def test_updated_at_filter_returns_changed_products_in_update_order(gql, store, clock):
    for index in (500, 7, 999):
        clock.advance(60)
        store.update_product(index, shop=SHOP, title=f"Changed {index}")
    query = """{ products(first: 50, sortKey: UPDATED_AT, query: "updated_at:>'2026-01-01T00:00:00Z'") {
        nodes { id title updatedAt } } }"""
    nodes = gql(query).json()["data"]["products"]["nodes"]
    assert [n["title"] for n in nodes] == ["Changed 500", "Changed 7", "Changed 999"]

    # `>=` on a generated timestamp includes that product; the changed ones sort after the base ones.
    bound = catalog.iso(catalog.updated_at(990))
    query = f"""{{ products(first: 50, sortKey: UPDATED_AT, query: "updated_at:>='{bound}'") {{
        nodes {{ id title }} }} }}"""
    nodes = gql(query).json()["data"]["products"]["nodes"]
    expected = [catalog.product_id(i) for i in range(990, 999)] + [
        catalog.product_id(i) for i in (500, 7, 999)
    ]
    assert [int(n["id"].rsplit("/", 1)[1]) for n in nodes] == expected


def test_product_by_id_and_deleted_product_is_null(gql, store):
    gid = f"gid://shopify/Product/{catalog.product_id(10)}"
    query = "query($id: ID!) { product(id: $id) { id title variants(first: 3) { nodes { sku price } } } }"
    product = gql(query, {"id": gid}).json()["data"]["product"]
    assert product["id"] == gid
    assert [v["sku"] for v in product["variants"]["nodes"]] == [
        "DEMO-000011-S",
        "DEMO-000011-M",
        "DEMO-000011-L",
    ]
    store.delete_product(10, shop=SHOP)
    assert gql(query, {"id": gid}).json()["data"]["product"] is None


def test_orders_page_with_line_items_linked_to_catalog_variants(gql):
    query = """{ orders(first: 5, sortKey: CREATED_AT) {
        nodes { id name createdAt totalPriceSet { shopMoney { amount currencyCode } }
                lineItems(first: 4) { nodes { quantity sku variant { id product { id } } } } }
        pageInfo { hasNextPage } } }"""
    body = gql(query).json()
    assert "errors" not in body
    orders = body["data"]["orders"]
    assert orders["pageInfo"]["hasNextPage"] is True
    for order in orders["nodes"]:
        for line in order["lineItems"]["nodes"]:
            variant = int(line["variant"]["id"].rsplit("/", 1)[1])
            index, position = catalog.split_variant(variant)
            assert line["variant"]["product"]["id"] == f"gid://shopify/Product/{catalog.product_id(index)}"
            assert line["sku"].endswith("-" + catalog.SIZES[position])


def test_backward_paging_matches_forward_for_every_sort(gql, store):
    store.seed_shop(SHOP, products=23)
    store.throttle.configure(SHOP, off=True)
    store.update_product(5, shop=SHOP, title="Moved to the end of UPDATED_AT")
    forward_q = """query($a: String, $s: ProductSortKeys, $r: Boolean) { products(first: 5, after: $a, sortKey: $s,
        reverse: $r) { nodes { id } pageInfo { hasNextPage endCursor } } }"""
    backward_q = """query($b: String, $s: ProductSortKeys, $r: Boolean) { products(last: 5, before: $b, sortKey: $s,
        reverse: $r) { nodes { id } pageInfo { hasPreviousPage startCursor } } }"""
    for sort in ("ID", "UPDATED_AT", "CREATED_AT"):
        for reverse in (False, True):
            forward, after = [], None
            while True:
                page = gql(forward_q, {"a": after, "s": sort, "r": reverse}).json()["data"]["products"]
                forward += [n["id"] for n in page["nodes"]]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
            backward, before = [], None
            while True:
                page = gql(backward_q, {"b": before, "s": sort, "r": reverse}).json()["data"]["products"]
                backward = [n["id"] for n in page["nodes"]] + backward
                if not page["pageInfo"]["hasPreviousPage"]:
                    break
                before = page["pageInfo"]["startCursor"]
            assert len(set(forward)) == 23
            assert forward == backward, (sort, reverse)
    changed = f"gid://shopify/Product/{catalog.product_id(5)}"
    last = gql("{ products(last: 1, sortKey: UPDATED_AT) { nodes { id } } }").json()["data"]["products"][
        "nodes"
    ]
    assert last == [{"id": changed}]
