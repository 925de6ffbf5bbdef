"""Two Shopify stores in one workspace: syncing, re-syncing or disconnecting one leaves the other's rows
untouched (the full sync's sweep of products it did not see is per store)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.integrations.service import disconnect
from app.models import Integration, Product

from .compare import product_differences
from .shop import Shop, make_product, mount

A, B = "store-a.myshopify.com", "store-b.myshopify.com"


def _rows(ws: int) -> dict[str, tuple]:
    db.session.expire_all()
    products = db.session.scalars(select(Product).where(Product.workspace_id == ws)).all()
    return {p.shopify_product_id: (p.integration_id, p.deleted_at, p.title, (p.platform_sync or {}).get("shopify", {}).get("synced"))
            for p in products}  # fmt: skip


def test_one_store_syncing_or_disconnecting_leaves_the_other_stores_products(
    db, workspace, rsps, connect, sync
):
    ws = workspace.id
    shop_a = Shop(A, [make_product(n, 2, 2) for n in range(1, 21)])  # 20 products
    shop_b = Shop(B, [make_product(n, 2, 2) for n in range(101, 301)])  # 200 products
    mount(rsps, shop_a, shop_b)
    a, b = connect(A), connect(B)
    assert sync(b).status == "succeeded"
    assert sync(a).status == "succeeded"
    before = _rows(ws)
    assert len(before) == 220
    assert {v[0] for k, v in before.items() if int(k.rsplit("/", 1)[1]) > 100} == {b}

    # Store A drops a product; its full sync sweeps that one, and none of B's 200.
    gone = shop_a.products.pop(0)
    assert sync(a).status == "succeeded"
    after = _rows(ws)
    assert after[gone["id"]][1] is not None
    assert {k: v for k, v in after.items() if k != gone["id"]} == {
        k: v for k, v in before.items() if k != gone["id"]
    }
    for node in shop_b.products[:5] + shop_b.products[-5:]:
        assert product_differences(ws, node) == []

    # Disconnecting A marks A's products unsynced; B's stay synced, and B's next sync sweeps nothing of A's.
    disconnect(db.session.get(Integration, a))
    rows = _rows(ws)
    assert all(v[3] is False for v in rows.values() if v[0] == a)
    assert all(v[3] is True and v[1] is None for v in rows.values() if v[0] == b)
    run = sync(b)
    assert run.status == "succeeded" and run.deleted == 0
    assert {k: v[1] for k, v in _rows(ws).items() if v[0] == a} == {
        k: v[1] for k, v in rows.items() if v[0] == a
    }
