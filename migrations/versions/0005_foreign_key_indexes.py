"""indexes under foreign keys whose parents are deleted in bulk

Revision ID: 0005_foreign_key_indexes
Revises: 0004_product_stock_on_hand
Create Date: 2026-11-26 00:30:00

Written by hand. Deleting a parent row makes the database find the child rows that point at it (to set them
NULL); without an index under the child's column that is a scan of the whole child table per deleted parent.
A shop's redaction deletes all its webhooks and products at once, and the sync deletes variants gone
upstream, so these three would each scan a large table once per deleted row:

- `sync_log.webhook_id` (partial: only lines written for a webhook; the sync's own lines carry none and add
  nothing to it on the sync's write path),
- `order_items.product_id`,
- `inventory_adjustment.variant_id`.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_foreign_key_indexes"
down_revision = "0004_product_stock_on_hand"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_sync_log_webhook_id",
        "sync_log",
        ["webhook_id"],
        postgresql_where=sa.text("webhook_id IS NOT NULL"),
        sqlite_where=sa.text("webhook_id IS NOT NULL"),
    )
    op.create_index("ix_order_items_product_id", "order_items", ["product_id"])
    op.create_index("ix_inventory_adjustment_variant_id", "inventory_adjustment", ["variant_id"])


def downgrade():
    op.drop_index("ix_inventory_adjustment_variant_id", table_name="inventory_adjustment")
    op.drop_index("ix_order_items_product_id", table_name="order_items")
    op.drop_index("ix_sync_log_webhook_id", table_name="sync_log")
