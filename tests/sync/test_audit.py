"""The drift audit (`app.sync.audit*`) against the demo store: rows deleted, altered or added behind the
sync's back, in the database and in the shop, are all reported and then repaired; a subscription Shopify
dropped is re-created and the merchant told; another store's rows are left alone."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from app.extensions import db
from app.integrations.clients import shopify_client
from app.models import Alert, Integration, Order, Product, ProductVariant
from app.sync import runner, service
from app.sync.audit_jobs import audit_integration

from .conftest import SHOP


def _sync(integration, kind):
    run = service.start_sync(integration, kind, enqueue_job=False)
    assert runner.execute_run(run.id) == "succeeded"


def _gid(store, i):
    return f"gid://shopify/Product/{store.product(SHOP, i)['id']}"


def _row(gid):
    db.session.expire_all()
    return db.session.scalars(select(Product).where(Product.shopify_product_id == gid)).first()


def test_audit_reports_and_repairs_drift_both_ways(db, workspace, store, integration):
    _sync(integration, "full")
    _sync(integration, "orders")
    first = audit_integration(integration.id)
    assert first["found"] == [] and first["remaining"] == []
    assert first["counts"]["shop"] == first["counts"]["database"]
    assert first["counts"]["database"]["products"] == 120

    g = {i: _gid(store, i) for i in range(9)}
    # Behind the sync's back, in the database.
    db.session.execute(delete(Product).where(Product.shopify_product_id == g[0]))
    db.session.execute(
        update(Product).where(Product.shopify_product_id == g[1]).values(deleted_at=db.func.now())
    )
    db.session.execute(update(Product).where(Product.shopify_product_id == g[2]).values(title="Typed over"))
    stocked_id, stocked_qty = _row(g[3]).variants[0].id, _row(g[3]).variants[0].inventory_quantity
    db.session.execute(update(ProductVariant).where(ProductVariant.id == stocked_id)
                       .values(inventory_quantity=stocked_qty + 41))  # fmt: skip
    db.session.execute(delete(ProductVariant).where(ProductVariant.id == _row(g[4]).variants[-1].id))
    ghost = "gid://shopify/Product/999999999"
    db.session.add(Product(workspace_id=workspace.id, integration_id=integration.id, title="Ghost",
                           shopify_product_id=ghost, images=[], platform_sync={}))  # fmt: skip
    other_store = "gid://shopify/Product/888888888"
    db.session.add(Product(workspace_id=workspace.id, integration_id=integration.id + 1000, title="Other store",
                           shopify_product_id=other_store, images=[], platform_sync={}))  # fmt: skip
    orders = db.session.scalars(
        select(Order).where(Order.integration_id == integration.id).order_by(Order.id)
    ).all()
    lost_order, voided, paid = orders[0].external_id, orders[1].external_id, orders[1].financial_status
    db.session.execute(delete(Order).where(Order.external_id == lost_order))
    db.session.execute(update(Order).where(Order.external_id == voided)
                       .values(financial_status="VOIDED", source_updated_at=orders[1].source_updated_at.replace(year=2001)))  # fmt: skip
    db.session.commit()
    # Behind the sync's back, in the shop (no webhooks fired).
    store.touch_product(5, shop=SHOP)
    store.delete_product(6, shop=SHOP, fire=False)
    sold_id, sold_qty = _row(g[7]).variants[0].id, _row(g[7]).variants[0].inventory_quantity
    store.adjust_available(SHOP, store.product(SHOP, 7)["variants"][0]["inventory_item_id"], 5, fire=False)
    store.db.run("UPDATE shops SET product_count = product_count + 1 WHERE shop=?", (SHOP,))
    added = _gid(store, 120)

    result = audit_integration(integration.id)

    kinds = {(d["kind"], d["gid"]) for d in result["found"]}
    assert kinds == {
        ("missing", g[0]), ("missing", g[1]), ("changed", g[2]), ("stock", g[3]), ("variants", g[4]),
        ("extra", ghost), ("changed", g[5]), ("extra", g[6]), ("stock", g[7]),
        ("missing", added), ("order_missing", lost_order), ("order_changed", voided),
    }  # fmt: skip
    assert result["remaining"] == []
    assert result["repaired"] == {"refetched": 8, "deleted": 2, "orders_refetched": 2, "failed": 0}
    for i in (0, 1, 2, 3, 4, 5, 7):
        row, upstream = _row(g[i]), store.product(SHOP, i)
        assert row.deleted_at is None and row.title == upstream["title"]
        assert len(row.variants) == len(upstream["variants"])
    assert db.session.get(ProductVariant, stocked_id).inventory_quantity == stocked_qty
    assert db.session.get(ProductVariant, sold_id).inventory_quantity == sold_qty + 5
    assert _row(added) is not None and _row(added).deleted_at is None
    assert _row(ghost).deleted_at is not None and _row(g[6]).deleted_at is not None
    order = db.session.scalars(select(Order).where(Order.external_id == lost_order)).one()
    assert order.items and order.integration_id == integration.id
    assert db.session.scalars(select(Order).where(Order.external_id == voided)).one().financial_status == paid
    assert _row(other_store).deleted_at is None  # another store's row: not this audit's
    assert audit_integration(integration.id)["found"] == []  # safe to run twice


def test_audit_recreates_a_deleted_webhook_subscription_and_alerts(db, workspace, store, integration, app):
    audit_integration(integration.id)  # registers every topic the first time
    db.session.execute(delete(Alert))
    db.session.commit()
    client = shopify_client(db.session.get(Integration, integration.id))
    uri = app.config["APP_URL"].rstrip("/") + "/api/webhooks/shopify"
    mine = {w["topic"]: w["id"] for w in client.list_webhooks() if w["uri"] == uri}
    client.delete_webhook(mine["PRODUCTS_UPDATE"])  # as Shopify does after repeated failed deliveries

    result = audit_integration(integration.id)

    assert result["webhooks_restored"] == ["PRODUCTS_UPDATE"]
    now = {w["topic"]: w["id"] for w in client.list_webhooks() if w["uri"] == uri}
    assert "PRODUCTS_UPDATE" in now and now["PRODUCTS_UPDATE"] != mine["PRODUCTS_UPDATE"]
    ids = db.session.get(Integration, integration.id).config["webhook_subscription_ids"]
    assert now["PRODUCTS_UPDATE"] in ids
    alerts = db.session.scalars(select(Alert).where(Alert.integration_id == integration.id)).all()
    assert len(alerts) == 1 and "products/update" in alerts[0].message
    assert audit_integration(integration.id)["webhooks_restored"] == []


def test_flask_sync_audit_lists_and_repairs_then_reports_in_sync(db, workspace, store, integration, app):
    iid = integration.id
    _sync(integration, "full")
    _sync(db.session.get(Integration, iid), "orders")
    store.touch_product(3, shop=SHOP)

    result = app.test_cli_runner().invoke(args=["sync", str(iid), "--audit"])

    assert result.exit_code == 0, result.output
    assert f"changed   {_gid(store, 3)}" in result.output and "[repaired]" in result.output
    assert "1 differences found, 0 remain" in result.output
    assert _row(_gid(store, 3)).title.endswith("(edited)")
    again = app.test_cli_runner().invoke(args=["sync", str(iid), "--audit"])
    assert again.exit_code == 0 and "0 differences found, 0 remain" in again.output


def test_audit_leaves_a_store_alone_while_it_syncs(db, workspace, store, integration, auth_client):
    iid = integration.id
    service.start_sync(integration, "full", enqueue_job=False)  # queued, not yet run: rows are in flight

    assert audit_integration(iid) == {"skipped": "sync running"}
    assert "audit" not in db.session.get(Integration, iid).config
    html = auth_client.get("/integrations").get_data(as_text=True)
    token = html.split('<meta name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = auth_client.post(
        f"/integrations/{iid}/audit", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 409 and "sync of this store is running" in response.get_data(as_text=True)
