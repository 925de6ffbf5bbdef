"""inventoryAdjustQuantities under the 2026-04 rules: @idempotent required, changeFromQuantity, key reuse."""

from __future__ import annotations

from app.demo_store import catalog

from .conftest import SHOP

ITEM = f"gid://shopify/InventoryItem/{catalog.inventory_item_id(3, 1)}"
LOCATION = f"gid://shopify/Location/{catalog.LOCATION_ID}"
ADJUST = """mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}"""
LEVEL = """query($id: ID!) { inventoryItem(id: $id) { id inventoryLevels(first: 5) { nodes {
  quantities(names: ["available", "on_hand"]) { name quantity } location { id } } } } }"""


def _input(delta: int, change_from) -> dict:
    return {"name": "available", "reason": "correction",
            "changes": [{"delta": delta, "inventoryItemId": ITEM, "locationId": LOCATION,
                         "changeFromQuantity": change_from}]}  # fmt: skip


def _available(gql) -> int:
    level = gql(LEVEL, {"id": ITEM}).json()["data"]["inventoryItem"]["inventoryLevels"]["nodes"][0]
    assert level["location"]["id"] == LOCATION
    return {q["name"]: q["quantity"] for q in level["quantities"]}["available"]


def test_directive_is_required(gql):
    query = ADJUST.replace(" @idempotent(key: $key)", "").replace(", $key: String!", "")
    body = gql(query, {"input": _input(1, None)}).json()
    assert body["data"] == {"inventoryAdjustQuantities": None}
    error = body["errors"][0]
    assert error["message"] == "The @idempotent directive is required for this mutation"
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["path"] == ["inventoryAdjustQuantities"]


def test_stale_change_from_quantity_is_refused_and_nothing_applied(gql):
    before = _available(gql)
    payload = gql(ADJUST, {"input": _input(5, before + 1), "key": "k-stale"}).json()["data"]
    result = payload["inventoryAdjustQuantities"]
    assert result["inventoryAdjustmentGroup"] is None
    assert result["userErrors"][0]["code"] == "CHANGE_FROM_QUANTITY_STALE"
    assert result["userErrors"][0]["field"] == ["input", "changes", "0", "changeFromQuantity"]
    assert _available(gql) == before


def test_missing_change_from_quantity_is_an_error(gql):
    data = _input(1, None)
    del data["changes"][0]["changeFromQuantity"]
    body = gql(ADJUST, {"input": data, "key": "k-missing"}).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_same_key_twice_applies_once(gql, deliveries, store):
    store.subscribe(SHOP, "INVENTORY_LEVELS_UPDATE", "https://app.test/webhooks/shopify")
    before = _available(gql)
    first = gql(ADJUST, {"input": _input(-2, before), "key": "k-once"}).json()["data"]
    second = gql(ADJUST, {"input": _input(-2, before), "key": "k-once"}).json()["data"]
    assert first == second
    group = first["inventoryAdjustQuantities"]["inventoryAdjustmentGroup"]
    assert group["changes"] == [{"name": "available", "delta": -2, "quantityAfterChange": before - 2}]
    assert _available(gql) == before - 2
    assert [d["headers"]["X-Shopify-Topic"] for d in deliveries] == ["inventory_levels/update"]


def test_same_key_with_other_input_is_a_mismatch(gql):
    before = _available(gql)
    gql(ADJUST, {"input": _input(1, before), "key": "k-reused"})
    body = gql(ADJUST, {"input": _input(3, before + 1), "key": "k-reused"}).json()["data"]
    assert body["inventoryAdjustQuantities"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert _available(gql) == before + 1


def test_null_change_from_quantity_skips_the_check(gql):
    before = _available(gql)
    body = gql(ADJUST, {"input": _input(4, None), "key": "k-null"}).json()["data"]
    assert body["inventoryAdjustQuantities"]["userErrors"] == []
    assert _available(gql) == before + 4
