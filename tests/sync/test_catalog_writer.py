"""One mapping and one writer for GraphQL nodes and REST webhook bodies; newest wins, in SQL."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from app.models import Product, ProductCategory, ProductVariant, SyncLog
from app.models.types import utcnow
from app.sync.catalog_writer import soft_delete_products, upsert_products
from app.sync.mapping import parse_time, product_from_graphql, product_from_rest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shopify"


def _graphql_nodes():
    return json.loads((FIXTURES / "products_page_1.json").read_text())["data"]["products"]["nodes"]


def _rest_update():
    return json.loads((FIXTURES / "rest_product_update.json").read_text())


def _product(db, workspace_id, gid="gid://shopify/Product/8901"):
    return db.session.scalars(
        select(Product).where(Product.workspace_id == workspace_id, Product.shopify_product_id == gid)
    ).one()


def test_graphql_node_maps_to_product_variants_images_and_category(db, workspace):
    result = upsert_products(
        workspace.id, [product_from_graphql(n) for n in _graphql_nodes()], currency="USD"
    )
    db.session.commit()
    assert len(result.created) == len(_graphql_nodes())
    product = _product(db, workspace.id)
    assert product.title == "Linen Shirt"
    assert product.status == "active"
    assert product.tags == "linen, summer"
    assert product.images[0]["url"].endswith("linen.jpg")
    assert product.price_min == Decimal("49.00")
    assert product.platform_sync["shopify"]["synced"] is True
    assert db.session.get(ProductCategory, product.category_id).slug == "shirts"
    variant = db.session.scalars(
        select(ProductVariant).where(ProductVariant.product_id == product.id)
    ).first()
    assert variant.sku == "LIN-S-WHT"
    assert variant.inventory_quantity == 7
    assert variant.inventory_item_id == "gid://shopify/InventoryItem/55001"
    assert variant.option_values == [{"name": "Size", "value": "S"}, {"name": "Color", "value": "White"}]


def test_rest_webhook_body_updates_the_same_rows(db, workspace):
    upsert_products(workspace.id, [product_from_graphql(n) for n in _graphql_nodes()])
    db.session.commit()
    product_id = _product(db, workspace.id).id
    result = upsert_products(workspace.id, [product_from_rest(_rest_update())])
    db.session.commit()
    assert result.updated == [product_id]
    db.session.expire_all()
    product = _product(db, workspace.id)
    assert product.title == "Linen Shirt (Blue)"
    skus = sorted(v.sku for v in product.variants)
    assert skus == ["LIN-M-BLU", "LIN-S-BLU"]
    assert product.variants[0].option_values == [
        {"name": "Size", "value": "S"},
        {"name": "Color", "value": "Blue"},
    ]
    assert product.source_updated_at == parse_time("2026-01-03T14:00:00Z")


def test_unchanged_product_is_skipped_and_logged(db, workspace):
    records = [product_from_graphql(n) for n in _graphql_nodes()]
    upsert_products(workspace.id, records)
    db.session.commit()
    again = upsert_products(workspace.id, records)
    db.session.commit()
    assert again.created == again.updated == []
    assert len(again.skipped) == len(records)
    actions = [row.action for row in db.session.scalars(select(SyncLog).order_by(SyncLog.id))]
    assert actions.count("skip") == len(records)


def test_older_update_never_overwrites_newer(db, workspace):
    newer = product_from_rest(_rest_update())
    upsert_products(workspace.id, [newer])
    db.session.commit()
    older = product_from_graphql(_graphql_nodes()[0])  # updatedAt 2026-01-02, before the webhook's
    result = upsert_products(workspace.id, [older])
    db.session.commit()
    assert result.skipped == ["gid://shopify/Product/8901"]
    db.session.expire_all()
    assert _product(db, workspace.id).title == "Linen Shirt (Blue)"


def test_delete_then_late_update_does_not_resurrect(db, workspace):
    upsert_products(workspace.id, [product_from_graphql(_graphql_nodes()[0])])
    db.session.commit()
    deleted = soft_delete_products(workspace.id, gids=["gid://shopify/Product/8901"],
                                   deleted_at=parse_time("2026-01-05T00:00:00Z"))  # fmt: skip
    db.session.commit()
    assert len(deleted) == 1
    late = product_from_rest(_rest_update())  # updated 2026-01-03, before the deletion
    result = upsert_products(workspace.id, [late])
    db.session.commit()
    assert result.skipped == ["gid://shopify/Product/8901"]
    db.session.expire_all()
    assert _product(db, workspace.id).deleted_at is not None


def test_full_sync_soft_deletes_products_not_seen(db, workspace):
    nodes = _graphql_nodes()
    upsert_products(workspace.id, [product_from_graphql(n) for n in nodes], now=utcnow() - timedelta(hours=1))
    db.session.commit()
    run_started = utcnow()
    upsert_products(workspace.id, [product_from_graphql(n) for n in nodes[1:]])  # first one is gone upstream
    deleted = soft_delete_products(workspace.id, not_seen_since=run_started)
    db.session.commit()
    assert deleted == [_product(db, workspace.id, nodes[0]["id"]).id]
    assert all(_product(db, workspace.id, n["id"]).deleted_at is None for n in nodes[1:])


def test_writes_are_per_workspace(db, make_user):
    a, b = make_user().workspace, make_user().workspace
    records = [product_from_graphql(n) for n in _graphql_nodes()]
    upsert_products(a.id, records)
    upsert_products(b.id, records)
    db.session.commit()
    assert db.session.query(Product).filter_by(workspace_id=a.id).count() == len(records)
    assert db.session.query(Product).filter_by(workspace_id=b.id).count() == len(records)
    assert db.session.query(ProductVariant).count() == 2 * sum(
        len(n["variants"]["nodes"]) for n in _graphql_nodes()
    )


def test_skipped_product_is_not_rewritten(db, workspace):
    records = [product_from_graphql(n) for n in _graphql_nodes()]
    upsert_products(workspace.id, records, now=utcnow() - timedelta(hours=1))
    db.session.commit()
    before = {p.id: (p.updated_at, p.seen_at) for p in db.session.query(Product)}
    upsert_products(workspace.id, records)
    db.session.commit()
    db.session.expire_all()
    for product in db.session.query(Product):
        assert product.updated_at == before[product.id][0]  # untouched: lists sorted by update stay put
        assert product.seen_at > before[product.id][1]  # but a full sync knows Shopify still has it
