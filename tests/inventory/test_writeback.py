"""The Shopify write-back: `@idempotent` key stored and reused, `changeFromQuantity` compare-and-set, stale
answers re-read under a new key, and a job that runs twice writes once. Shopify is faked with `responses`."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.inventory import commit, reserve
from app.inventory.writeback import next_key, retry_pending_write_backs, write_back_adjustments
from app.models import InventoryAdjustment, SyncLog
from tests.inventory.conftest import GRAPHQL_URL, ITEM_GID, LOCATION_GID, load, sent


@pytest.fixture
def sold(db, workspace, make_variant, make_order):
    """An order for 2 of a Shopify-linked variant (7 in stock), committed: one pending adjustment."""
    variant = make_variant(workspace, quantity=7, inventory_item_id=ITEM_GID)
    order = make_order(workspace)
    reserve(workspace.id, variant.id, 2, order_id=order.id)
    commit(order)
    return db.session.scalars(select(InventoryAdjustment)).one()


def mutations(rsps):
    return [sent(c) for c in rsps.calls if "inventoryAdjustQuantities" in sent(c)["query"]]


def test_write_back_sends_directive_key_and_change_from_quantity(db, shopify_store, sold, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))

    assert write_back_adjustments([sold.id]) == {"applied": 1}

    [body] = mutations(rsps)
    assert "@idempotent(key: $idempotencyKey)" in body["query"]
    assert body["variables"]["idempotencyKey"] == sold.idempotency_key
    [change] = body["variables"]["input"]["changes"]
    assert change == {
        "inventoryItemId": ITEM_GID,
        "locationId": LOCATION_GID,
        "delta": -2,
        "changeFromQuantity": 7,
    }
    assert rsps.calls[0].request.headers["X-Shopify-Access-Token"] == "shpat_test_custom_app_token"
    db.session.refresh(sold)
    assert sold.status == "applied" and sold.applied_at is not None and sold.error is None


def test_job_run_twice_writes_once(db, shopify_store, sold, rsps, run_jobs):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
    write_back_adjustments([sold.id])
    assert write_back_adjustments([sold.id]) == {"skipped": 1}
    assert len(mutations(rsps)) == 1


def test_commit_enqueues_the_write_back_for_the_worker(db, workspace, shopify_store, sold, rsps, run_jobs):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
    sold_id, store_id = sold.id, shopify_store.id
    run_jobs()  # the job `commit` enqueued, in a real RQ worker (it ends with a fresh session)
    sold = db.session.get(InventoryAdjustment, sold_id)
    assert sold.status == "applied"
    assert sold.integration_id == store_id
    assert len(mutations(rsps)) == 1


def test_retried_job_sends_the_same_key_and_input(db, shopify_store, sold, rsps):
    rsps.post(
        GRAPHQL_URL,
        json={"errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]},
    )
    assert write_back_adjustments([sold.id]) == {"error": 1}
    db.session.refresh(sold)
    assert sold.status == "pending" and "Shopify did not take the change" in sold.error
    rsps.replace("POST", GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))

    assert write_back_adjustments([sold.id]) == {"applied": 1}

    first, second = mutations(rsps)
    assert first["variables"] == second["variables"]
    assert second["variables"]["idempotencyKey"] == f"order-{sold.order_id}-variant-{sold.variant_id}-sale"


def test_stale_quantity_rereads_the_level_and_writes_under_a_new_key(db, shopify_store, sold, rsps):
    # Shopify sold 2 itself: it holds 5, not the 7 we expected (the level fixture, adapted).
    level = load("shopify", "inventory_level.json")
    level["data"]["inventoryItem"]["inventoryLevel"]["quantities"][0]["quantity"] = 5
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_stale.json"))
    rsps.post(GRAPHQL_URL, json=level)
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
    old_key = sold.idempotency_key

    assert write_back_adjustments([sold.id]) == {"applied": 1}

    stale, reread, retry = (sent(c) for c in rsps.calls)
    assert stale["variables"]["idempotencyKey"] == old_key
    assert reread["variables"] == {"inventoryItemId": ITEM_GID, "locationId": LOCATION_GID}
    assert retry["variables"]["idempotencyKey"] == old_key + "-cas2"
    assert retry["variables"]["input"]["changes"][0]["changeFromQuantity"] == 5
    assert retry["variables"]["input"]["changes"][0]["delta"] == -2
    db.session.refresh(sold)
    assert (sold.status, sold.idempotency_key, sold.change_from_quantity) == ("applied", old_key + "-cas2", 5)


def test_new_key_is_kept_for_retries_after_a_stale_round(db, shopify_store, sold, rsps):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_stale.json"))
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_level.json"))
    rsps.post(
        GRAPHQL_URL,
        json={"errors": [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]},
    )
    write_back_adjustments([sold.id])
    rsps.replace("POST", GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
    write_back_adjustments([sold.id])
    keys = [m["variables"]["idempotencyKey"] for m in mutations(rsps)]
    assert keys == [sold.idempotency_key.removesuffix("-cas2"), sold.idempotency_key, sold.idempotency_key]


def test_key_reused_with_other_input_fails_loudly(db, shopify_store, sold, rsps, caplog):
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_idempotency_mismatch.json"))
    with caplog.at_level(logging.ERROR):
        assert write_back_adjustments([sold.id]) == {"failed": 1}
    db.session.refresh(sold)
    assert sold.status == "failed" and "different input" in sold.error
    assert any(r.levelno == logging.ERROR and sold.idempotency_key in r.getMessage() for r in caplog.records)
    assert db.session.scalars(select(SyncLog).where(SyncLog.status == "error")).one()


def test_without_a_connected_store_the_change_waits(db, sold, rsps):
    assert write_back_adjustments([sold.id]) == {"waiting": 1}
    db.session.refresh(sold)
    assert sold.status == "pending" and "connected Shopify store" in sold.error
    assert len(rsps.calls) == 0


def test_without_a_location_the_change_waits(db, shopify_store, sold, rsps):
    shopify_store.config = {"shop_domain": shopify_store.account_id}
    db.session.commit()
    assert write_back_adjustments([sold.id]) == {"waiting": 1}
    assert len(rsps.calls) == 0


def test_minute_sweep_requeues_pending_changes_of_connected_stores(db, shopify_store, sold, rsps, run_jobs):
    from datetime import timedelta

    from app.models.types import utcnow

    assert retry_pending_write_backs() == 0  # fresh: the job its commit queued will send it
    rsps.post(GRAPHQL_URL, json=load("shopify", "inventory_adjust_success.json"))
    assert retry_pending_write_backs(now=utcnow() + timedelta(minutes=2)) == 1
    sold_id = sold.id
    run_jobs()
    sold = db.session.get(InventoryAdjustment, sold_id)
    assert sold.status == "applied"
    assert len(mutations(rsps)) == 1  # the commit's job and the sweep's job: one write


def test_next_key_counts_rounds():
    assert next_key("order-1-variant-2-sale") == "order-1-variant-2-sale-cas2"
    assert next_key("order-1-variant-2-sale-cas2") == "order-1-variant-2-sale-cas3"
