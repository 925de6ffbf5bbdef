"""sales overview: the workspace's timezone and its own WhatsApp message rates

Revision ID: 0016_sales_overview
Revises: 0015_variant_barcode
Create Date: 2026-12-04 19:00:00

Written by hand. `workspace.timezone` (an IANA name, "UTC" for every existing workspace) is the zone the
overview counts days in. `message_rate` holds a workspace's edits of Meta's rate card (the default card is a
data file, not rows). The downgrade drops both; nothing else read them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_sales_overview"
down_revision = "0015_variant_barcode"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "workspace", sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
    )
    op.create_table(
        "message_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=6), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "market", "category"),
    )


def downgrade() -> None:
    op.drop_table("message_rate")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE workspace DROP COLUMN timezone")
    else:
        op.drop_column("workspace", "timezone")
