"""Writers that take a list as long as the shop: a location stocking 70,000 inventory items, a collection of
70,000 products, a full sync's sweep of 70,000 products it no longer saw. One `IN (...)` of them binds more
parameters than a statement may (65,535 on Postgres, 32,766 on SQLite), so each writer must cut its lists:
the 100,000-product bulk sync failed on the location's levels before they did."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from app.models import (
    Collection,
    CollectionProduct,
    Location,
    Product,
    ProductVariant,
    VariantLocationStock,
)
from app.models.types import utcnow
from app.sync import locations as location_sync
from app.sync.catalog_writer import soft_delete_products
from app.sync.collections import write_collections

N = 70_000  # above both databases' limit on bind parameters


def _big_shop(db, integration):
    """N products of one variant each (inventory item `46000000000000 + i`), written set-based."""
    ws, now = integration.workspace_id, utcnow()
    db.session.execute(insert(Product), [
        {"workspace_id": ws, "integration_id": integration.id, "title": f"P{i}", "shopify_product_id":
         f"gid://shopify/Product/{9_000_000_000 + i}", "currency": "USD", "images": [], "platform_sync": {},
         "seen_at": now - timedelta(days=1), "created_at": now, "updated_at": now}
        for i in range(N)
    ])  # fmt: skip
    ids = db.session.scalars(select(Product.id).where(Product.workspace_id == ws).order_by(Product.id)).all()
    db.session.execute(insert(ProductVariant), [
        {"workspace_id": ws, "product_id": pid, "shopify_variant_id": f"gid://shopify/ProductVariant/{i}",
         "inventory_item_id": f"gid://shopify/InventoryItem/{46_000_000_000_000 + i}", "inventory_quantity": 0,
         "created_at": now, "updated_at": now}
        for i, pid in enumerate(ids)
    ])  # fmt: skip
    db.session.commit()
    return integration


def test_lists_as_long_as_the_shop_are_written_whole(db, integration):
    """One shop of N products for the three writers (building it is most of the time).

    A location stocking all N items: every level written and summed, then all of them removed."""
    big_shop = _big_shop(db, integration)
    levels = [
        {"item": {"id": f"gid://shopify/InventoryItem/{46_000_000_000_000 + i}"}, "updatedAt": None,
         "quantities": [{"name": "available", "quantity": i % 7}, {"name": "committed", "quantity": 1},
                        {"name": "on_hand", "quantity": i % 7 + 1}]}
        for i in range(N)
    ]  # fmt: skip
    node = {
        "id": "gid://shopify/Location/1",
        "name": "Warehouse",
        "isActive": True,
        "fulfillsOnlineOrders": True,
    }
    location_id, listed = location_sync.write_location(big_shop.workspace_id, big_shop.id, node, levels)

    assert listed == N
    held = db.session.scalar(select(func.count()).where(VariantLocationStock.location_id == location_id))
    assert held == N
    # What each variant sells is summed from its level: every one of them, not the first chunk alone.
    sold = dict(
        db.session.execute(select(ProductVariant.inventory_item_id, ProductVariant.inventory_quantity)).all()
    )
    assert sum(sold.values()) == sum(i % 7 for i in range(N))
    assert sold[f"gid://shopify/InventoryItem/{46_000_000_000_000 + N - 1}"] == (N - 1) % 7

    # The location then stocks none of them: every level goes, and every variant is summed again.
    location_sync.write_location(big_shop.workspace_id, big_shop.id, node, [])
    assert db.session.scalar(select(func.count()).select_from(VariantLocationStock)) == 0
    assert db.session.scalar(select(Location.name).where(Location.id == location_id)) == "Warehouse"

    # A collection of all N products links every one, in Shopify's order.
    gids = [f"gid://shopify/Product/{9_000_000_000 + i}" for i in range(N)]
    record = {"shopify_collection_id": "gid://shopify/Collection/5", "title": "Everything", "handle": "all",
              "kind": "smart", "source_updated_at": None, "product_gids": gids}  # fmt: skip
    write_collections(big_shop.workspace_id, big_shop.id, [record], utcnow())
    db.session.commit()
    collection_id = db.session.scalar(select(Collection.id))
    links = db.session.execute(
        select(Product.shopify_product_id, CollectionProduct.position)
        .join(Product, Product.id == CollectionProduct.product_id)
        .where(CollectionProduct.collection_id == collection_id)
        .order_by(CollectionProduct.position)
    ).all()
    assert [g for g, _ in links] == gids  # all of them, in Shopify's order
    assert [p for _, p in links] == list(range(1, N + 1))

    # A full sync that saw none of them sweeps all N.
    swept = soft_delete_products(big_shop.workspace_id, not_seen_since=utcnow(), integration_id=big_shop.id)
    db.session.commit()
    assert len(swept) == N
    left = db.session.scalar(select(func.count()).where(Product.deleted_at.is_(None)))
    assert left == 0
