"""fulfillment shipment status: where the carrier says the parcel is (delivered, in_transit, ...)

Revision ID: 0017_fulfillment_shipment_status
Revises: 0016_sales_overview
Create Date: 2026-12-04 18:50:00

Written by hand. `order_fulfillment.shipment_status` (nullable: Shopify reports it only for carriers it
tracks; the next fulfillments/update or orders sync fills it in). The "delivered" WhatsApp automation reads
it. The downgrade drops the column; nothing else read it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_fulfillment_shipment_status"
down_revision = "0016_sales_overview"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("order_fulfillment", sa.Column("shipment_status", sa.String(length=30), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE order_fulfillment DROP COLUMN shipment_status")
    else:
        op.drop_column("order_fulfillment", "shipment_status")
