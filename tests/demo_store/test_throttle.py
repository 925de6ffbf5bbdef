"""Cost and the leaky bucket: THROTTLED when empty, refunds of unused points, MAX_COST_EXCEEDED."""

from __future__ import annotations

from .conftest import SHOP

IDS = "{ products(first: 250) { nodes { id } } }"


def test_unused_points_are_refunded(gql, store):
    store.seed_shop(SHOP, products=40)
    store.throttle.configure(SHOP, maximum=1000, rate=50)
    cost = gql(IDS).json()["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 252
    assert cost["actualQueryCost"] == 42  # 2 + the 40 nodes really returned
    assert cost["throttleStatus"] == {
        "maximumAvailable": 1000.0,
        "currentlyAvailable": 958,
        "restoreRate": 50.0,
    }


def test_throttled_when_bucket_cannot_pay_then_restored_over_time(gql, store, clock):
    store.throttle.configure(SHOP, maximum=300, rate=10)
    assert gql(IDS).json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 48
    response = gql(IDS)
    assert response.status_code == 200
    assert response.json() == {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED",
                                                           "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        "extensions": {"cost": {"requestedQueryCost": 252, "actualQueryCost": None,
                                "throttleStatus": {"maximumAvailable": 300.0, "currentlyAvailable": 48,
                                                   "restoreRate": 10.0}}},
    }  # fmt: skip
    clock.advance(20.5)  # 48 + 205 points
    body = gql(IDS).json()
    assert "errors" not in body
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1


def test_max_cost_exceeded_is_refused_without_charging(gql, store):
    query = "{ products(first: 250) { nodes { id variants(first: 100) { nodes { id } } } } }"
    body = gql(query).json()
    error = body["errors"][0]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["maxCost"] == 1000
    assert error["extensions"]["cost"] > 1000
    assert "data" not in body
    assert store.throttle.status(SHOP)["currentlyAvailable"] == 2000


def test_throttle_off_never_throttles(gql, store):
    store.throttle.configure(SHOP, maximum=10, rate=1, off=True)
    for _ in range(3):
        assert "errors" not in gql(IDS).json()
