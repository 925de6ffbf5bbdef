"""the product feed's settings: which products the agentic-commerce feed lists, and for which markets

Revision ID: 0013_product_feed
Revises: 0012_agent_access
Create Date: 2026-12-04 01:40:00

Written by hand. One row per workspace (none until the merchant saves the feed settings: the feed then
lists every active product, for the US). `updated_at` lets a delta read (`?since=`) know the choices changed
after its time, when it must answer a full snapshot instead.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_product_feed"
down_revision = "0012_agent_access"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_feed_settings",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=True),
        sa.Column("excluded_tags", sa.Text(), nullable=True),
        sa.Column("target_countries", sa.String(length=500), nullable=False),
        sa.Column("store_country", sa.String(length=2), nullable=False),
        sa.Column("store_url", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collection.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workspace_id"),
    )
    op.create_index("ix_product_feed_settings_collection_id", "product_feed_settings", ["collection_id"])


def downgrade():
    op.drop_index("ix_product_feed_settings_collection_id", table_name="product_feed_settings")
    op.drop_table("product_feed_settings")
