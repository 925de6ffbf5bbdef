"""Migration 0006: `sync_log` and `product_stock` carry no foreign keys; triggers on the parents do what the keys
did on delete, and the catalog writer's new products get their stock row once, from their variants."""

import json
from pathlib import Path

from sqlalchemy import delete, select

from app.models import (
    Integration,
    Product,
    ProductStock,
    ProductVariant,
    SyncLog,
    SyncRun,
    Webhook,
    Workspace,
)
from app.sync.catalog_writer import upsert_products
from app.sync.mapping import product_from_graphql

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shopify"


def _records():
    """Four products from the fixture node: quantities (7,), (0,), (-2, 5) and no variant at all."""
    node = json.loads((FIXTURES / "products_page_1.json").read_text())["data"]["products"]["nodes"][0]
    records = []
    for n, quantities in enumerate([(7,), (0,), (-2, 5), ()]):
        copy = json.loads(json.dumps(node))
        copy["id"] = f"gid://shopify/Product/{7700 + n}"
        variant = copy["variants"]["nodes"][0]
        copy["variants"]["nodes"] = [
            {**variant, "id": f"gid://shopify/ProductVariant/{7700 + n}{i}", "sku": f"K-{n}-{i}",
             "inventoryQuantity": quantity}
            for i, quantity in enumerate(quantities)
        ]  # fmt: skip
        records.append(product_from_graphql(copy))
    return records


def _stock(db, workspace_id) -> dict[int, int]:
    rows = db.session.execute(select(ProductStock.product_id, ProductStock.on_hand).where(
        ProductStock.workspace_id == workspace_id))  # fmt: skip
    return dict(rows.all())


def _expected_stock(db, workspace_id) -> dict[int, int]:
    expected = {}
    for product_id in db.session.scalars(select(Product.id).where(Product.workspace_id == workspace_id)):
        quantities = db.session.scalars(
            select(ProductVariant.inventory_quantity).where(ProductVariant.product_id == product_id)
        )
        expected[product_id] = sum(max(q or 0, 0) for q in quantities)
    return expected


def test_new_products_get_their_stock_from_their_variants_and_later_writers_are_unaffected(db, workspace):
    records = _records()
    result = upsert_products(workspace.id, records, currency="USD")
    # In the same transaction, a product written by the ORM (not the catalog writer) still gets its row.
    other = Product(workspace_id=workspace.id, title="Hand made", currency="USD", images=[], platform_sync={})
    db.session.add(other)
    db.session.commit()

    stock = _stock(db, workspace.id)
    assert len(result.created) == len(records)
    assert stock == _expected_stock(db, workspace.id)
    assert stock[other.id] == 0
    bare = result.product_ids[records[-1]["shopify_product_id"]]
    assert stock[bare] == 0
    assert any(on_hand > 0 for on_hand in stock.values())

    # A second write of newer versions updates through the same triggers.
    for record in records:
        record["source_updated_at"] = record["source_updated_at"].replace(year=2031)
        for variant in record["variants"]:
            variant["inventory_quantity"] = (variant["inventory_quantity"] or 0) + 2
    upsert_products(workspace.id, records, currency="USD")
    db.session.commit()
    assert _stock(db, workspace.id) == _expected_stock(db, workspace.id)


def test_deleting_parents_does_what_the_foreign_keys_did(db, workspace, other_workspace):
    integration = Integration(workspace_id=workspace.id, platform="shopify", account_id="keys.myshopify.com",
                              status="connected", config={})  # fmt: skip
    db.session.add(integration)
    db.session.flush()
    run = SyncRun(workspace_id=workspace.id, integration_id=integration.id, kind="full")
    webhook = Webhook(workspace_id=workspace.id, integration_id=integration.id, platform="shopify",
                      topic="products/update", delivery_id="keys-1", payload="{}")  # fmt: skip
    db.session.add_all([run, webhook])
    db.session.flush()
    records = _records()
    upsert_products(workspace.id, records[:1], integration_id=integration.id, sync_run_id=run.id)
    upsert_products(workspace.id, records[1:], integration_id=integration.id, webhook_id=webhook.id)
    upsert_products(other_workspace.id, _records())
    db.session.commit()
    lines = select(SyncLog).where(SyncLog.workspace_id == workspace.id)
    assert {line.sync_run_id for line in db.session.scalars(lines)} == {run.id, None}

    db.session.execute(delete(Webhook).where(Webhook.id == webhook.id))
    db.session.execute(delete(SyncRun).where(SyncRun.id == run.id))
    db.session.commit()
    kept = db.session.scalars(lines.execution_options(populate_existing=True)).all()
    assert len(kept) == len(records)
    assert {(line.webhook_id, line.sync_run_id, line.integration_id) for line in kept} == {
        (None, None, integration.id)
    }

    db.session.execute(delete(Integration).where(Integration.id == integration.id))
    db.session.commit()
    kept = db.session.scalars(lines.execution_options(populate_existing=True)).all()
    assert len(kept) == len(records) and {line.integration_id for line in kept} == {None}

    gone = db.session.scalars(select(Product.id).where(Product.workspace_id == workspace.id)).first()
    db.session.execute(delete(Product).where(Product.id == gone))
    db.session.commit()
    assert gone not in _stock(db, workspace.id)
    assert _stock(db, workspace.id) == _expected_stock(db, workspace.id)

    others = (len(_stock(db, other_workspace.id)), db.session.query(SyncLog).filter_by(
        workspace_id=other_workspace.id).count())  # fmt: skip
    db.session.execute(delete(Workspace).where(Workspace.id == workspace.id))
    db.session.commit()
    assert _stock(db, workspace.id) == {}
    assert db.session.scalars(lines).all() == []
    # The other workspace keeps everything.
    assert others == (len(records), len(records))
    assert len(_stock(db, other_workspace.id)) == len(records)
    assert db.session.query(SyncLog).filter_by(workspace_id=other_workspace.id).count() == len(records)
