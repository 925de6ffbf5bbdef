"""Bulk operations on the awkward catalog: five at once, the sixth refused, every nested row in the JSONL."""

from __future__ import annotations

import json
import threading
import time

from app.demo_store import catalog
from tests.demo_store.conftest import AWKWARD_SHOP

RUN = """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
  bulkOperation { id status } userErrors { field message code } } }"""
POLL = """query($id: ID!) { bulkOperation(id: $id) { id status objectCount rootObjectCount errorCode } }"""
PRODUCTS = """{ products { edges { node { id title
  variants { edges { node { id sku inventoryItem { id inventoryLevels { edges { node { id location { id }
    quantities(names: ["available", "on_hand", "committed"]) { name quantity } } } } } } } }
  media { edges { node { id ... on MediaImage { alt } } } } } } } }"""
ORDERS = """{ orders { edges { node { id name fulfillments { id trackingInfo { company number url } }
  lineItems { edges { node { id quantity variant { id } } } } } } } }"""
LOCATIONS = "{ locations { edges { node { id name inventoryLevels { edges { node { id } } } } } } }"
ITEMS = """{ inventoryItems { edges { node { id sku inventoryLevels { edges { node { id location { id }
  quantities(names: ["available", "on_hand", "committed"]) { name quantity } } } } } } } }"""
COLLECTIONS = "{ collections { edges { node { id title products { edges { node { id } } } } } } }"


def _lines(store, op_id: str) -> list[dict]:
    path = store.bulk_path(AWKWARD_SHOP, catalog.parse_gid(op_id, "BulkOperation"))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _run(gql, query: str) -> dict:
    out = gql(RUN, {"q": query}, shop=AWKWARD_SHOP).json()["data"]["bulkOperationRunQuery"]
    assert out["userErrors"] == [], out
    return out["bulkOperation"]


def _kind(line: dict) -> str:
    return line["id"].split("/")[3].split("?")[0]


def test_five_bulk_queries_run_at_once_and_a_sixth_is_refused_while_they_do(gql, awkward):
    awkward.bulk_mode = "thread"
    gate = threading.Barrier(6, timeout=30)  # five running operations + this test
    waited: set[int] = set()

    def hold_first_page(shop, root, page):
        if threading.get_ident() not in waited and threading.current_thread() is not threading.main_thread():
            waited.add(threading.get_ident())
            gate.wait()

    awkward.page_hook = hold_first_page
    ops = [_run(gql, q) for q in (PRODUCTS, ORDERS, PRODUCTS, ORDERS, PRODUCTS)]
    deadline = time.time() + 30
    while gate.n_waiting < 5 and time.time() < deadline:
        time.sleep(0.01)
    assert gate.n_waiting == 5  # all five are inside their first page at the same moment
    refused = gql(RUN, {"q": PRODUCTS}, shop=AWKWARD_SHOP).json()["data"]["bulkOperationRunQuery"]
    assert refused["bulkOperation"] is None
    assert refused["userErrors"] == [
        {"field": None, "code": "LIMIT_REACHED",
         "message": "A maximum of 5 bulk query operations can run at once for this app and shop."}
    ]  # fmt: skip
    gate.wait()
    statuses = []
    while time.time() < deadline:
        statuses = [
            gql(POLL, {"id": op["id"]}, shop=AWKWARD_SHOP).json()["data"]["bulkOperation"] for op in ops
        ]
        if all(s["status"] == "COMPLETED" for s in statuses):
            break
        time.sleep(0.05)
    assert [s["status"] for s in statuses] == ["COMPLETED"] * 5
    assert _lines(awkward, ops[0]["id"]) == _lines(awkward, ops[2]["id"])  # concurrent runs do not mix
    awkward.bulk_mode = "manual"  # nothing left running once the test ends
    assert _run(gql, LOCATIONS)["status"] == "CREATED"  # room again


def test_products_jsonl_holds_every_variant_media_item_and_inventory_level(gql, awkward):
    snap = awkward.snapshot(AWKWARD_SHOP)
    lines = _lines(awkward, _run(gql, PRODUCTS)["id"])
    by_kind: dict[str, list[dict]] = {}
    for line in lines:
        by_kind.setdefault(_kind(line), []).append(line)
    assert [p["id"] for p in by_kind["Product"]] == [p["id"] for p in snap["products"]]
    assert [(v["id"], v["__parentId"]) for v in by_kind["ProductVariant"]] == [
        (v["id"], v["productId"]) for v in snap["variants"]
    ]
    assert [(m["id"], m["__parentId"], m["alt"]) for m in by_kind["MediaImage"]] == [
        (m["id"], m["productId"], m["alt"]) for m in snap["media"]
    ]
    levels = [(lv["id"], lv["__parentId"], {q["name"]: q["quantity"] for q in lv["quantities"]})
              for lv in by_kind["InventoryLevel"]]  # fmt: skip
    assert levels == [
        (
            lv["id"],
            lv["variantId"],
            {"available": lv["available"], "on_hand": lv["on_hand"], "committed": lv["committed"]},
        )
        for lv in snap["inventoryLevels"]
    ]
    assert len(by_kind["ProductVariant"]) > 2048 and len(by_kind["MediaImage"]) > 250
    variant = by_kind["ProductVariant"][0]
    assert "inventoryLevels" not in variant["inventoryItem"] and "__parentId" in variant
    seen_parents = set()
    for line in lines:  # a child line always follows the line of its parent
        assert line.get("__parentId") is None or line["__parentId"] in seen_parents
        seen_parents.add(line["id"])


def test_orders_jsonl_holds_all_500_line_items_and_the_fulfillments(gql, awkward):
    snap = awkward.snapshot(AWKWARD_SHOP)
    lines = _lines(awkward, _run(gql, ORDERS)["id"])
    orders = [line for line in lines if _kind(line) == "Order"]
    items = [line for line in lines if _kind(line) == "LineItem"]
    assert [o["id"] for o in orders] == [o["id"] for o in snap["orders"]]
    assert [(li["id"], li["__parentId"], li["quantity"]) for li in items] == [
        (li["id"], li["orderId"], li["quantity"]) for li in snap["lineItems"]
    ]
    assert sum(1 for li in items if li["__parentId"] == orders[0]["id"]) == 500
    assert [t["company"] for f in orders[0]["fulfillments"] for t in f["trackingInfo"]] == [
        "UPS",
        "DHL Express",
    ]


def test_locations_and_collections_can_be_bulk_roots(gql, awkward):
    snap = awkward.snapshot(AWKWARD_SHOP)
    lines = _lines(awkward, _run(gql, LOCATIONS)["id"])
    assert [line["id"] for line in lines if _kind(line) == "Location"] == [
        loc["id"] for loc in snap["locations"] if loc["isActive"]
    ]
    assert sorted(line["id"] for line in lines if _kind(line) == "InventoryLevel") == sorted(
        lv["id"] for lv in snap["inventoryLevels"]
    )
    lines = _lines(awkward, _run(gql, COLLECTIONS)["id"])
    members = [(line["__parentId"], line["id"]) for line in lines if _kind(line) == "Product"]
    assert members == [(c["id"], p) for c in snap["collections"] for p in c["productIds"]]


def test_inventory_items_bulk_has_every_level_under_its_item(gql, awkward):
    snap = awkward.snapshot(AWKWARD_SHOP)
    lines = _lines(awkward, _run(gql, ITEMS)["id"])
    assert [line["id"] for line in lines if _kind(line) == "InventoryItem"] == [
        v["inventoryItemId"] for v in snap["variants"]
    ]
    levels = [
        (line["id"], line["__parentId"], line["location"]["id"])
        for line in lines
        if _kind(line) == "InventoryLevel"
    ]
    assert levels == [(lv["id"], lv["inventoryItemId"], lv["locationId"]) for lv in snap["inventoryLevels"]]
