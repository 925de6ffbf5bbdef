"""The products API lists one collection's products with `collection=<id>`; a bad id is a clear 400."""

from __future__ import annotations

from app.models import Collection, CollectionProduct, Product
from app.models.types import utcnow


def test_products_api_filters_by_collection(api_client, db, workspace, make_user):
    products = [
        Product(workspace_id=workspace.id, title=f"P{i}", images=[], platform_sync={}) for i in range(4)
    ]
    db.session.add_all(products)
    db.session.flush()
    summer = Collection(workspace_id=workspace.id, shopify_collection_id="gid://shopify/Collection/1", title="Summer",
                        kind="custom", created_at=utcnow())  # fmt: skip
    stranger = make_user().workspace
    theirs = Collection(workspace_id=stranger.id, shopify_collection_id="gid://shopify/Collection/2", title="Theirs",
                        kind="smart", created_at=utcnow())  # fmt: skip
    db.session.add_all([summer, theirs])
    db.session.flush()
    db.session.add_all(
        [CollectionProduct(collection_id=summer.id, product_id=products[i].id, position=i) for i in (1, 3)]
    )
    db.session.add(CollectionProduct(collection_id=theirs.id, product_id=products[0].id, position=1))
    db.session.commit()
    ids = {p.id for p in products}

    listed = api_client.get(f"/api/products?collection={summer.id}")
    assert listed.status_code == 200
    assert {p["id"] for p in listed.get_json()["products"]} == {products[1].id, products[3].id}
    assert {p["id"] for p in api_client.get("/api/products").get_json()["products"]} == ids
    # Another workspace's collection holds none of this workspace's products.
    assert api_client.get(f"/api/products?collection={theirs.id}").get_json()["products"] == []
    bad = api_client.get("/api/products?collection=abc")
    assert bad.status_code == 400 and "collection" in bad.get_json()["fields"]
