"""Collections of both kinds, with every product in Shopify's order, many-to-many; a collection the shop no
longer has goes; another store's collections stay."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Collection, CollectionProduct, Product

from .shop import Shop, gid, make_product, mount

DOMAIN, OTHER = "whole-shop.myshopify.com", "other-shop.myshopify.com"


def _held(ws: int) -> dict[str, tuple]:
    db.session.expire_all()
    gids = dict(db.session.execute(select(Product.id, Product.shopify_product_id)).all())
    out = {}
    for c in db.session.scalars(select(Collection).where(Collection.workspace_id == ws)):
        members = db.session.scalars(
            select(CollectionProduct.product_id)
            .where(CollectionProduct.collection_id == c.id)
            .order_by(CollectionProduct.position)
        ).all()
        out[c.shopify_collection_id] = (
            c.title,
            c.handle,
            c.kind,
            [gids[p] for p in members],
            c.integration_id,
        )
    return out


def test_full_sync_stores_custom_and_smart_collections_with_all_their_products(
    db, workspace, rsps, connect, sync
):
    ws = workspace.id
    products = [make_product(n, 1, 1) for n in range(1, 131)]
    every = [p["id"] for p in products]
    summer = {"id": gid("Collection", 1), "title": "Summer", "handle": "summer", "kind": "custom",
              "updatedAt": "2026-11-01T00:00:00Z", "products": list(reversed(every[:120]))}  # fmt: skip
    linen = {"id": gid("Collection", 2), "title": "Linen", "handle": "linen", "kind": "smart",
             "updatedAt": "2026-11-01T00:00:00Z", "products": every[::2]}  # fmt: skip
    smalls = [{"id": gid("Collection", 10 + i), "title": f"Small {i}", "handle": f"small-{i}", "kind": "custom",
               "updatedAt": "2026-11-01T00:00:00Z", "products": every[i : i + 2]} for i in range(12)]  # fmt: skip
    shop = Shop(DOMAIN, products, collections=[summer, linen, *smalls])
    other = Shop(OTHER, [make_product(900, 1, 1)], collections=[
        {"id": gid("Collection", 900), "title": "Other", "handle": "other", "kind": "custom",
         "updatedAt": "2026-11-01T00:00:00Z", "products": [gid("Product", 900)]}])  # fmt: skip
    mount(rsps, shop, other)
    integration_id, other_id = connect(DOMAIN), connect(OTHER)
    assert sync(other_id).status == "succeeded"
    assert sync(integration_id).status == "succeeded"

    held = _held(ws)
    for c in shop.collections:
        assert held[c["id"]] == (c["title"], c["handle"], c["kind"], c["products"], integration_id)
    assert held[gid("Collection", 900)][3] == [gid("Product", 900)]
    assert shop.calls["CollectionProductsPage"] == 2  # Summer (120) and Linen (65) hold more than 50

    shop.collections.remove(linen)
    summer["products"] = every[5:8]
    assert sync(integration_id).status == "succeeded"
    held = _held(ws)
    assert linen["id"] not in held and held[summer["id"]][3] == every[5:8]
    assert held[gid("Collection", 900)][3] == [gid("Product", 900)]  # the other store's, untouched
