"""the catalog whole: every media item, variant images, fulfillments, refunds, collections, products per store

Revision ID: 0010_catalog_whole
Revises: 0009_webhook_superseded_by
Create Date: 2026-12-03 14:00:00

Written by hand. Until now a product kept its first three images (in `product.images`), an order its first
50 line items, and a product did not record which of the workspace's stores it came from, so a full sync of
one store soft-deleted the other store's products. This adds:

- `product_media`: every media item of a product in Shopify's order (up to 250), with its id, type, URL and
  alt text; today's `product.images` entries are carried over as rows (type IMAGE, no Shopify id yet: the
  next sync fills it). `product.images` stays, as the list the channels show.
- `product_variant.image_media_id`, `image_url`: the variant's own image.
- `product.integration_id`: the store a product came from. Carried over from the workspace's Shopify
  integration (the connected one, else the lowest id) for every product that has a Shopify id.
- `order_fulfillment` and `order_refund`.
- `collection` and `collection_product` (many-to-many).

`product.integration_id` has no foreign key (as 0006 did for the other tables the sync writes in bulk); a
trigger on `integration` sets it to NULL when its store's row is deleted. SQLite adds and drops the columns
with ALTER TABLE (no table rebuild): a rebuild would drop the stock triggers of 0004/0006 on `product`.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_catalog_whole"
down_revision = "0009_webhook_superseded_by"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)

PG_MEDIA_CARRY = """
INSERT INTO product_media (workspace_id, product_id, position, media_type, url, alt)
SELECT p.workspace_id, p.id, e.ord, 'IMAGE', e.value ->> 'url', e.value ->> 'alt'
FROM product p CROSS JOIN LATERAL json_array_elements(
    CASE WHEN json_typeof(p.images) = 'array' THEN p.images ELSE '[]'::json END
) WITH ORDINALITY AS e(value, ord)
"""
SQLITE_MEDIA_CARRY = """
INSERT INTO product_media (workspace_id, product_id, position, media_type, url, alt)
SELECT p.workspace_id, p.id, e.key + 1, 'IMAGE', json_extract(e.value, '$.url'), json_extract(e.value, '$.alt')
FROM product p, json_each(CASE WHEN json_type(p.images) = 'array' THEN p.images ELSE '[]' END) AS e
"""
INTEGRATION_CARRY = """
UPDATE product SET integration_id = (
    SELECT i.id FROM integration i
    WHERE i.workspace_id = product.workspace_id AND i.platform = 'shopify'
    ORDER BY CASE WHEN i.status = 'connected' THEN 0 ELSE 1 END, i.id
    LIMIT 1
)
WHERE shopify_product_id IS NOT NULL
"""


PG_PRODUCT_STORE_FUNCTION = """
CREATE FUNCTION product_integration_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE product p SET integration_id = NULL FROM old_rows o WHERE p.integration_id = o.id;
    RETURN NULL;
END $$
"""
PG_PRODUCT_STORE_TRIGGER = (
    "CREATE TRIGGER product_integration_deleted AFTER DELETE ON integration REFERENCING OLD TABLE AS "
    "old_rows FOR EACH STATEMENT EXECUTE FUNCTION product_integration_deleted()"
)
SQLITE_PRODUCT_STORE_TRIGGER = (
    "CREATE TRIGGER product_integration_deleted AFTER DELETE ON integration BEGIN "
    "UPDATE product SET integration_id = NULL WHERE integration_id = OLD.id; END"
)


def _add_product_columns(sqlite: bool) -> None:
    # No foreign key on product.integration_id, as migration 0006 did for the other bulk-written tables: a
    # key costs a lookup and lock per product the sync writes. A trigger keeps what ON DELETE SET NULL did.
    op.add_column("product", sa.Column("integration_id", sa.Integer(), nullable=True))
    op.add_column("product_variant", sa.Column("image_media_id", sa.String(100), nullable=True))
    op.add_column("product_variant", sa.Column("image_url", sa.Text(), nullable=True))
    op.create_index("ix_product_integration_id", "product", ["integration_id"])
    if sqlite:
        op.execute(SQLITE_PRODUCT_STORE_TRIGGER)
    else:
        op.execute(PG_PRODUCT_STORE_FUNCTION)
        op.execute(PG_PRODUCT_STORE_TRIGGER)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    _add_product_columns(sqlite)
    op.create_table(
        "product_media",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("product.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("shopify_media_id", sa.String(100), nullable=True),
        sa.Column("media_type", sa.String(20), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("alt", sa.Text(), nullable=True),
        sa.UniqueConstraint("product_id", "position", name="uq_product_media_product_id_position"),
    )  # fmt: skip
    op.create_index("ix_product_media_workspace_id", "product_media", ["workspace_id"])
    op.create_table(
        "order_fulfillment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("shopify_fulfillment_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("status", sa.String(30), nullable=True),
        sa.Column("tracking_company", sa.String(255), nullable=True),
        sa.Column("tracking_number", sa.String(255), nullable=True),
        sa.Column("tracking_url", sa.Text(), nullable=True),
        sa.Column("tracking", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("order_id", "shopify_fulfillment_id",
                            name="uq_order_fulfillment_order_id_shopify_fulfillment_id"),
    )  # fmt: skip
    op.create_table(
        "order_refund",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("shopify_refund_id", sa.String(100), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("line_items", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("order_id", "shopify_refund_id", name="uq_order_refund_order_id_shopify_refund_id"),
    )  # fmt: skip
    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integration.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("shopify_collection_id", sa.String(100), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("handle", sa.String(500), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("source_updated_at", UTC_TIME, nullable=True),
        sa.Column("seen_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("workspace_id", "shopify_collection_id",
                            name="uq_collection_workspace_id_shopify_collection_id"),
    )  # fmt: skip
    op.create_index("ix_collection_integration_id", "collection", ["integration_id"])
    op.create_table(
        "collection_product",
        sa.Column("collection_id", sa.Integer(), sa.ForeignKey("collection.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("product.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )  # fmt: skip
    op.create_index("ix_collection_product_product_id", "collection_product", ["product_id"])

    op.execute(SQLITE_MEDIA_CARRY if sqlite else PG_MEDIA_CARRY)
    op.execute(INTEGRATION_CARRY)


def downgrade():
    # product.images was kept up to date alongside the media rows: dropping them loses only what 0010 added.
    op.drop_index("ix_collection_product_product_id", table_name="collection_product")
    op.drop_table("collection_product")
    op.drop_index("ix_collection_integration_id", table_name="collection")
    op.drop_table("collection")
    op.drop_table("order_refund")
    op.drop_table("order_fulfillment")
    op.drop_index("ix_product_media_workspace_id", table_name="product_media")
    op.drop_table("product_media")
    op.drop_index("ix_product_integration_id", table_name="product")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS product_integration_deleted")
        # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: a rebuild would drop product's triggers.
        for table, column in (("product_variant", "image_url"), ("product_variant", "image_media_id"),
                              ("product", "integration_id")):  # fmt: skip
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.execute("DROP TRIGGER IF EXISTS product_integration_deleted ON integration")
        op.execute("DROP FUNCTION IF EXISTS product_integration_deleted()")
        op.drop_column("product", "integration_id")
        op.drop_column("product_variant", "image_url")
        op.drop_column("product_variant", "image_media_id")
