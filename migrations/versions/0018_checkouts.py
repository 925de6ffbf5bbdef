"""checkouts: Shopify checkouts for the abandoned-checkout reminder, and the checkout an order completed

Revision ID: 0018_checkouts
Revises: 0017_fulfillment_shipment_status
Create Date: 2026-12-04 18:50:00

Written by hand. A new `checkout` table, and `orders.checkout_token` / `orders.checkout_id` (nullable: orders
stored before this read them again with their next webhook or sync). The downgrade drops both.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_checkouts"
down_revision = "0017_fulfillment_shipment_status"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("orders", sa.Column("checkout_token", sa.String(length=100), nullable=True))
    op.add_column("orders", sa.Column("checkout_id", sa.String(length=100), nullable=True))
    op.create_index("ix_orders_workspace_id_checkout_token", "orders", ["workspace_id", "checkout_token"])
    op.create_index("ix_orders_workspace_id_checkout_id", "orders", ["workspace_id", "checkout_id"])
    op.create_table(
        "checkout",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "workspace_id", sa.Integer(), sa.ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integration.id", ondelete="SET NULL")),
        sa.Column("shopify_checkout_id", sa.String(100), nullable=False),
        sa.Column("token", sa.String(100)),
        sa.Column("cart_token", sa.String(100)),
        sa.Column("customer_gid", sa.String(100)),
        sa.Column("customer_name", sa.String(255)),
        sa.Column("customer_phone", sa.String(50)),
        sa.Column("customer_email", sa.String(255)),
        sa.Column("line_items_summary", sa.Text()),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("total_price", sa.Numeric(12, 2)),
        sa.Column("currency", sa.String(3)),
        sa.Column("recovery_url", sa.Text()),
        sa.Column("created_at", UTC_TIME),
        sa.Column("last_activity_at", UTC_TIME),
        sa.Column("completed_at", UTC_TIME),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", ondelete="SET NULL")),
        sa.Column("reminder_status", sa.String(20)),
        sa.Column(
            "reminder_outbox_id", sa.Integer(), sa.ForeignKey("outbox_message.id", ondelete="SET NULL")
        ),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("workspace_id", "shopify_checkout_id"),
    )
    op.create_index("ix_checkout_integration_id", "checkout", ["integration_id"])
    op.create_index("ix_checkout_order_id", "checkout", ["order_id"])
    op.create_index("ix_checkout_reminder_outbox_id", "checkout", ["reminder_outbox_id"])
    op.create_index(
        "ix_checkout_workspace_id_last_activity_at", "checkout", ["workspace_id", "last_activity_at"]
    )
    op.create_index("ix_checkout_workspace_id_token", "checkout", ["workspace_id", "token"])


def downgrade() -> None:
    op.drop_table("checkout")
    op.drop_index("ix_orders_workspace_id_checkout_id", table_name="orders")
    op.drop_index("ix_orders_workspace_id_checkout_token", table_name="orders")
    if op.get_bind().dialect.name == "sqlite":
        # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: a rebuild would drop other objects.
        op.execute("ALTER TABLE orders DROP COLUMN checkout_id")
        op.execute("ALTER TABLE orders DROP COLUMN checkout_token")
    else:
        op.drop_column("orders", "checkout_id")
        op.drop_column("orders", "checkout_token")
