"""variant barcode: the GTIN/UPC/ISBN Shopify holds for each variant

Revision ID: 0015_variant_barcode
Revises: 0014_messaging
Create Date: 2026-12-04 02:10:00

Written by hand. `product_variant.barcode` (nullable: most variants have none; the next sync of each store
fills it in). The downgrade drops the column; nothing else read it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_variant_barcode"
down_revision = "0014_messaging"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("product_variant", sa.Column("barcode", sa.String(length=255), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: a rebuild would drop the search triggers.
        op.execute("ALTER TABLE product_variant DROP COLUMN barcode")
    else:
        op.drop_column("product_variant", "barcode")
