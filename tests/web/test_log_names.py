"""The sync log names what an entry touched, with a link to it, instead of "product 1000"."""

from __future__ import annotations

from app.extensions import db as _db
from app.models.types import utcnow


def test_sync_log_entries_name_and_link_products_variants_and_orders(
    auth_client, workspace, other_workspace, factory
):
    make = factory
    shop = make.integration(workspace)
    variant = make.variant(workspace, title="Trail Running Shoe")
    product = variant.product
    order = make.order(workspace, customer_name="Ada Lovelace")
    make.sync_log(workspace, shop, entity_type="product", entity_id=product.id)
    make.sync_log(workspace, shop, entity_type="inventory", entity_id=variant.id, status="error",
                  error_message="Shopify said no")  # fmt: skip
    make.sync_log(workspace, shop, entity_type="order", entity_id=order.id, action="create")
    gone = make.variant(workspace, title="Old Boot").product
    gone.deleted_at = utcnow()
    _db.session.commit()
    make.sync_log(workspace, shop, entity_type="product", entity_id=gone.id, action="delete")
    # Another workspace's product id named in this workspace's log never shows that product's name.
    foreign = make.variant(other_workspace, title="Secret Product").product
    make.sync_log(workspace, shop, entity_type="product", entity_id=foreign.id)

    html = auth_client.get("/logs/entries").get_data(as_text=True)
    assert f'<a href="/products/{product.id}">Trail Running Shoe</a>' in html
    assert f'<a href="/products/{product.id}">Trail Running Shoe · M</a>' in html
    assert f'<a href="/orders/{order.id}">Order {order.number} · Ada Lovelace</a>' in html
    assert "Old Boot (deleted)" in html and f'href="/products/{gone.id}"' not in html
    assert "Secret Product" not in html and f"<code>{foreign.id}</code>" in html
