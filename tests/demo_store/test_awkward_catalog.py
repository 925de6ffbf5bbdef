"""The awkward catalog's shapes, its snapshot against what GraphQL serves, and changes made mid-sync."""

from __future__ import annotations

from app.demo_store import DemoStore, catalog, locations
from app.demo_store import awkward as awkward_catalog
from tests.demo_store.conftest import AWKWARD_SHOP

INT32 = 2**31 - 1


def test_the_special_products_have_the_shapes_real_shops_have(awkward):
    snap = awkward.snapshot(AWKWARD_SHOP)
    per_product = {p["id"]: (0, 0) for p in snap["products"]}
    for v in snap["variants"]:
        n, m = per_product[v["productId"]]
        per_product[v["productId"]] = (n + 1, m)
    for media in snap["media"]:
        n, m = per_product[media["productId"]]
        per_product[media["productId"]] = (n, m + 1)
    shapes = list(per_product.values())
    assert shapes[:8] == [(1, 1), (100, 5), (2048, 10), (3, 250), (3, 0), (3, 2), (2, 1), (2, 1)]
    assert [p["status"] for p in snap["products"][5:8]] == ["ACTIVE", "DRAFT", "ARCHIVED"]
    blank = [v for v in snap["variants"] if v["productId"] == snap["products"][4]["id"]]
    assert [(v["sku"], v["barcode"]) for v in blank] == [("", ""), (None, None), ("", None)]
    every_id = [r["legacyResourceId"] for r in snap["products"] + snap["orders"] + snap["locations"]]
    every_id += [catalog.parse_gid(v["id"], "ProductVariant") for v in snap["variants"]]
    assert min(every_id) > INT32
    assert {lv["locationId"] for lv in snap["inventoryLevels"]} == {
        catalog.gid("Location", loc) for loc in (locations.WAREHOUSE, locations.STORE, locations.SHOWROOM)
    }
    assert any(lv["committed"] for lv in snap["inventoryLevels"])
    assert [o["lineItemCount"] for o in snap["orders"][:2]] == [500, 3]
    assert [(o["displayFinancialStatus"], o["displayFulfillmentStatus"]) for o in snap["orders"][:2]] == [
        ("PAID", "PARTIALLY_FULFILLED"),
        ("PARTIALLY_REFUNDED", "FULFILLED"),
    ]
    assert {c["kind"] for c in snap["collections"]} == {"custom", "smart"}


def test_unicode_survives_the_api_untouched(agql, awkward):
    pid = catalog.gid("Product", catalog.product_id(5))
    data = agql(f'{{ product(id: "{pid}") {{ title tags descriptionHtml options {{ name values }} }} }}')[
        "product"
    ]
    assert data["title"] == awkward_catalog.UNICODE_TITLE and "\x00" not in data["title"]
    assert "\u0301" in data["descriptionHtml"] and "عربى" in data["descriptionHtml"]
    assert data["options"][0]["name"] == "Cor 🎨" and "ورد" in data["options"][0]["values"]
    assert "🎁 gift" in data["tags"]


def test_snapshot_matches_what_graphql_serves_field_by_field(agql, awkward):
    snap = awkward.snapshot(AWKWARD_SHOP)
    pid = catalog.gid("Product", catalog.product_id(1))
    product = agql(f"""{{ product(id: "{pid}") {{ id legacyResourceId title handle vendor productType tags status
        descriptionHtml createdAt updatedAt options {{ name values }} hasOnlyDefaultVariant
        variants(first: 10) {{ nodes {{ id position title sku barcode price compareAtPrice inventoryQuantity
          selectedOptions {{ name value }} media(first: 1) {{ nodes {{ id }} }} }} }} }} }}""")["product"]
    expected = snap["products"][1]
    assert {k: product[k] for k in expected if k not in ("collectionIds", "legacyResourceId")} == {
        k: v for k, v in expected.items() if k not in ("collectionIds", "legacyResourceId")
    }
    assert int(product["legacyResourceId"]) == expected["legacyResourceId"]
    for node, row in zip(
        product["variants"]["nodes"], [v for v in snap["variants"] if v["productId"] == pid], strict=False
    ):
        image = node["media"]["nodes"][0]["id"] if node["media"]["nodes"] else None
        assert (node["id"], node["position"], node["title"], node["sku"], node["barcode"], node["price"],
                node["compareAtPrice"], node["inventoryQuantity"], node["selectedOptions"], image) == (
            row["id"], row["position"], row["title"], row["sku"], row["barcode"], row["price"],
            row["compareAtPrice"], row["inventoryQuantity"], row["selectedOptions"], row["imageId"])  # fmt: skip
    assert product["variants"]["nodes"][0]["inventoryQuantity"] == 10  # 4 at the warehouse + 6 at the store
    orders = agql("""{ orders(first: 10) { nodes { id name displayFinancialStatus displayFulfillmentStatus
        totalRefundedSet { shopMoney { amount } } fulfillments { id name status displayStatus createdAt updatedAt
          location { id } trackingInfo { company number url } }
        refunds { id note createdAt totalRefundedSet { shopMoney { amount } } } } } }""")["orders"]["nodes"]
    assert [(o["id"], o["name"], o["displayFinancialStatus"], o["displayFulfillmentStatus"],
             o["totalRefundedSet"]["shopMoney"]["amount"]) for o in orders] == [
        (o["id"], o["name"], o["displayFinancialStatus"], o["displayFulfillmentStatus"], o["totalRefunded"])
        for o in snap["orders"]
    ]  # fmt: skip
    fulfillments = [f for o in orders for f in o["fulfillments"]]
    assert [(f["id"], f["name"], f["status"], f["displayStatus"], f["createdAt"], f["updatedAt"], f["location"]["id"],
             f["trackingInfo"]) for f in fulfillments] == [
        (f["id"], f["name"], f["status"], f["displayStatus"], f["createdAt"], f["updatedAt"], f["locationId"],
         f["trackingInfo"]) for f in snap["fulfillments"]
    ]  # fmt: skip
    refunds = [r for o in orders for r in o["refunds"]]
    assert [
        (r["id"], r["note"], r["createdAt"], r["totalRefundedSet"]["shopMoney"]["amount"]) for r in refunds
    ] == [(r["id"], r["note"], r["createdAt"], r["totalRefunded"]) for r in snap["refunds"]]


def test_a_product_changed_mid_sync_shows_a_later_updated_at(agql, awkward, clock):
    query = """query($after: String) { products(first: 4, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { id title updatedAt } } }"""
    start = awkward.now_iso()
    pages = []

    def change_behind_the_sync(shop, root, page):
        if len(pages) == 0:
            clock.advance(60)
            awkward.touch_product(0, shop=shop)  # already read in this pass
            awkward.touch_product(9, shop=shop)  # not read yet

    awkward.page_hook = change_behind_the_sync
    after, seen = None, {}
    while True:
        conn = agql(query, {"after": after})["products"]
        pages.append(conn)
        seen.update({n["id"]: n for n in conn["nodes"]})
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    awkward.page_hook = None
    first, tenth = (
        catalog.gid("Product", catalog.product_id(0)),
        catalog.gid("Product", catalog.product_id(9)),
    )
    assert not seen[first]["title"].endswith("(edited)")
    assert seen[tenth]["title"].endswith("(edited)") and seen[tenth]["updatedAt"] > start
    changed = agql(f'{{ products(first: 10, query: "updated_at:>{start}") {{ nodes {{ id title }} }} }}')
    assert {n["id"] for n in changed["products"]["nodes"]} == {first, tenth}
    assert awkward.snapshot(AWKWARD_SHOP)["products"][0]["title"].endswith("(edited)")


def test_awkward_sizes_keep_the_specials_and_the_catalog_is_deterministic():
    a, b = DemoStore(":memory:", catalog="awkward"), DemoStore(":memory:")
    a.seed_shop("x.myshopify.com", products=3, orders=0)
    b.seed_shop("x.myshopify.com", products=30, orders=9, catalog="awkward")
    assert a.shop_row("x.myshopify.com")["product_count"] == awkward_catalog.SPECIALS
    assert a.shop_row("x.myshopify.com")["order_count"] == 2
    assert b.view("x.myshopify.com").product_count == 30
    b.seed_shop("x.myshopify.com", products=awkward_catalog.SPECIALS, orders=2, catalog="awkward")
    assert a.snapshot("x.myshopify.com") == b.snapshot("x.myshopify.com")


def test_an_order_placed_in_the_awkward_shop_takes_stock_from_the_first_stocking_location(awkward):
    item = awkward.product(AWKWARD_SHOP, 1)["variants"][0]["inventory_item_id"]
    awkward.place_order([(1, 0, 3)], shop=AWKWARD_SHOP)
    levels = awkward.levels(AWKWARD_SHOP, item)
    assert (levels[locations.WAREHOUSE]["available"], levels[locations.STORE]["available"]) == (1, 6)
