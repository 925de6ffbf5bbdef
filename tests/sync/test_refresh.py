"""Re-sync chosen products from Shopify (`app.sync.refresh`), against the demo store: changed upstream ->
updated, gone upstream -> soft-deleted, no Shopify id -> left alone; started from the bulk action."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Product, SyncLog
from app.models.scoping import WorkspaceScope
from app.services import bulk_jobs
from app.sync.refresh import refresh_products

from .conftest import SHOP


def _local_copies(workspace_id: int, store, indexes) -> dict[int, int]:
    """Stale local rows for demo products `indexes` (as an old sync left them); {index: product id}."""
    ids = {}
    for i in indexes:
        upstream = store.product(SHOP, i)
        product = Product(workspace_id=workspace_id, title=f"Old title {i}", status="active",
                          shopify_product_id=f"gid://shopify/Product/{upstream['id']}", images=[], platform_sync={})  # fmt: skip
        db.session.add(product)
        db.session.flush()
        ids[i] = product.id
    db.session.commit()
    return ids


def _product(product_id: int) -> Product:
    db.session.expire_all()
    return db.session.get(Product, product_id)


def test_refresh_updates_changed_products_and_soft_deletes_gone_ones(db, workspace, store, integration):
    ids = _local_copies(workspace.id, store, [0, 1, 2])
    local_only = Product(workspace_id=workspace.id, title="Made here", images=[], platform_sync={})
    db.session.add(local_only)
    db.session.commit()
    store.update_product(1, shop=SHOP, fire=False, title="Renamed upstream")
    store.delete_product(2, shop=SHOP, fire=False)

    done = refresh_products(workspace.id, [ids[0], ids[1], ids[2], local_only.id])

    assert done == {"updated": 2, "restored": 0, "unchanged": 0, "deleted": 1, "skipped": 1, "failed": 0}
    assert _product(ids[0]).title == store.product(SHOP, 0)["title"]
    renamed = _product(ids[1])
    assert renamed.title == "Renamed upstream" and renamed.deleted_at is None
    assert len(renamed.variants) == len(store.product(SHOP, 1)["variants"])
    assert _product(ids[2]).deleted_at is not None
    assert _product(local_only.id).title == "Made here"
    actions = set(db.session.scalars(select(SyncLog.action).where(SyncLog.entity_type == "product")))
    assert {"update", "delete"} <= actions

    again = refresh_products(workspace.id, [ids[0], ids[1]])  # safe to run twice, and says nothing changed
    assert again["unchanged"] == 2 and _product(ids[1]).title == "Renamed upstream"


def test_bulk_resync_action_enqueues_the_refresh_and_it_runs(db, workspace, store, integration, run_jobs):
    scope = WorkspaceScope(workspace.id)  # plain id: the burst worker detaches loaded rows
    ids = _local_copies(scope.workspace_id, store, [3, 4])
    store.update_product(4, shop=SHOP, fire=False, title="Fresh from Shopify")

    progress = bulk_jobs.start_bulk(scope, "resync_shopify", list(ids.values()))
    run_jobs()

    finished = bulk_jobs.get_progress(scope, progress["id"])
    assert (
        finished["status"] == "done" and finished["message"] == "Re-read 2 products from Shopify: 2 updated."
    )
    assert _product(ids[4]).title == "Fresh from Shopify"
    assert _product(ids[3]).title == store.product(SHOP, 3)["title"]


def test_refresh_without_a_connected_store_changes_nothing(db, workspace, store):
    ids = _local_copies(workspace.id, store, [5])
    assert refresh_products(workspace.id, [ids[5]]) == {
        "updated": 0, "restored": 0, "unchanged": 0, "deleted": 0, "skipped": 1, "failed": 0}  # fmt: skip
    assert _product(ids[5]).title == "Old title 5"
