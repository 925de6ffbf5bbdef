"""The feed of real synced catalogs: every row of the awkward shop (2,048 variants in one product, 250 images,
unicode, empty SKUs, drafts) and of the 1,000-product shop is valid against OpenAI's feed row and, as ACP
products, against the fetched ACP schema; a product changed by a signed webhook is in the next delta."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.demo_store import awkward as awkward_catalog
from app.extensions import db as _db
from app.models import Product, ProductMedia, ProductVariant
from tests.feeds.conftest import SHOP, acp_validator, flat_validator, problems, read_feed


def _expected_items(workspace_id: int, needs_image: bool = True) -> Counter:
    """Variants per product the feed must list: active, not deleted, and (flat rows: OpenAI requires one)
    with an image to show."""
    with_media = select(ProductMedia.product_id).where(ProductMedia.url.is_not(None), ProductMedia.url != "")
    rows = (
        select(ProductVariant.product_id, func.count())
        .join(Product, Product.id == ProductVariant.product_id)
        .where(Product.workspace_id == workspace_id, Product.status == "active", Product.deleted_at.is_(None))
        .where((Product.id.in_(with_media)) | (ProductVariant.image_url.is_not(None)) | (not needs_image))
        .group_by(ProductVariant.product_id)
    )
    return Counter(dict(_db.session.execute(rows).all()))


def test_awkward_catalog_rows_are_valid_in_both_shapes(db, workspace, synced, api_client):
    ws = workspace.id
    synced("awkward")
    rows, response = read_feed(api_client)
    assert response.headers["X-Feed-Mode"] == "full"
    assert problems(flat_validator(), rows) == []
    expected = _expected_items(ws)
    assert Counter(int(r["group_id"]) for r in rows) == expected
    assert max(expected.values()) == 2048  # Shopify's maximum, in one product, across keyset batches
    titles = {r["item_group_title"] for r in rows}
    assert any(awkward_catalog.UNICODE_TITLE[:10] in t for t in titles)  # unicode kept as it is
    statuses = dict(db.session.execute(select(Product.id, Product.status)).all())
    assert {statuses[int(r["group_id"])] for r in rows} == {"active"}  # the draft and the archived stay out
    assert len({r["item_id"] for r in rows}) == len(rows)
    assert all(r["is_eligible_search"] and r["is_eligible_checkout"] is False for r in rows)
    # Availability is the stock rule: in stock exactly when units are left.
    assert all((r["availability"] == "in_stock") == (r["inventory_quantity"] > 0) for r in rows)
    assert {r["availability"] for r in rows} == {"in_stock", "out_of_stock"}

    products, _ = read_feed(api_client, "?shape=products")
    assert problems(acp_validator("Product"), products) == []
    everything = _expected_items(ws, needs_image=False)
    assert Counter({int(p["id"]): len(p["variants"]) for p in products}) == everything
    assert sum(everything.values()) > len(rows)  # ACP needs no image: the imageless product is listed there
    biggest = max(products, key=lambda p: len(p["variants"]))
    assert len(biggest["variants"]) == 2048 and len(biggest["media"]) >= 10
    many_images = max(products, key=lambda p: len(p.get("media", [])))
    assert len(many_images["media"]) == 250


def test_the_standard_catalog_of_a_thousand_products_is_valid(db, workspace, synced, api_client):
    ws = workspace.id
    synced("uniform")
    rows, _ = read_feed(api_client)
    assert problems(flat_validator(), rows) == []
    assert len({r["group_id"] for r in rows}) == 1000
    assert Counter(int(r["group_id"]) for r in rows) == _expected_items(ws)
    assert all(r["url"].startswith(f"https://{SHOP}/products/") for r in rows)
    products, _ = read_feed(api_client, "?shape=products")
    assert len(products) == 1000 and problems(acp_validator("Product"), products) == []


def test_a_product_updated_by_webhook_is_in_the_next_delta(
    db, workspace, synced, store, deliveries, client, api_client, run_jobs
):
    synced("uniform")
    _, first = read_feed(api_client)
    since = first.headers["X-Feed-Generated-At"]
    quiet, response = read_feed(api_client, f"?since={since}")
    assert quiet == [] and response.headers["X-Feed-Mode"] == "delta"

    store.subscribe(SHOP, "products/update", "https://app.test/api/webhooks/shopify")
    store.subscribe(SHOP, "products/delete", "https://app.test/api/webhooks/shopify")
    record = store.update_product(7, shop=SHOP, title="Renamed by the merchant ✨")
    store.fire(SHOP, "products/delete", {"id": store.product(SHOP, 8)["id"]})
    assert len(deliveries) == 2
    for delivery in deliveries:
        answer = client.post("/api/webhooks/shopify", data=delivery["body"], headers=delivery["headers"])
        assert answer.status_code == 200
    run_jobs()

    rows, response = read_feed(api_client, f"?since={since}")
    assert response.headers["X-Feed-Mode"] == "delta"
    assert problems(flat_validator(), rows) == []
    by_product = {}
    for row in rows:
        by_product.setdefault(row["item_group_title"], []).append(row)
    renamed = by_product.pop("Renamed by the merchant ✨")
    assert all(r["is_eligible_search"] for r in renamed) and len(renamed) == len(record["variants"])
    (gone,) = by_product.values()  # the deleted product, and nothing else
    assert all(not r["is_eligible_search"] and r["availability"] == "out_of_stock" for r in gone)

    products, _ = read_feed(api_client, f"?since={since}&shape=products")
    assert problems(acp_validator("Product"), products) == []
    discontinued = [p for p in products if p["variants"][0]["availability"]["status"] == "discontinued"]
    assert len(products) == 2 and len(discontinued) == 1
