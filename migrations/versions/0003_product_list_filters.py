"""product list filters: a status index and planner statistics for the platform filters

Revision ID: 0003_product_list_filters
Revises: 0002
Create Date: 2026-11-25 23:00:00

Written by hand. The Products page filters by status and by platform state (JSON fields of
`platform_sync`) while walking its sort index.

- `ix_product_workspace_id_status_updated_at` (both dialects, declared on the model): a status filter that
  matches few rows (drafts, archived) reads those rows newest first instead of scanning the table.
- Postgres statistics objects on the two JSON expressions the platform filter compares: without them the
  planner guesses 0.5 % for `facebook status = 'error'`, expects the index walk to find too few rows, and
  falls back to scanning and sorting all products (~20 ms at 100,000 products; ~1 ms with the estimate
  right). They cost nothing on writes, only during ANALYZE. The expressions must stay identical to
  `_platform_criterion` in `app/catalog/listing.py`. Alembic does not compare statistics objects,
  so the models-vs-migrations check is unaffected. SQLite has no such objects.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0003_product_list_filters"
down_revision = "0002"
branch_labels = None
depends_on = None

STATISTICS = {
    "st_product_facebook_status": "((platform_sync -> 'facebook') ->> 'status')",
    "st_product_shopify_synced": "(((platform_sync -> 'shopify') ->> 'synced')::boolean)",
}


def upgrade():
    op.create_index(
        "ix_product_workspace_id_status_updated_at", "product", ["workspace_id", "status", "updated_at"]
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, expression in STATISTICS.items():
            op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON {expression} FROM product")
        op.execute("ANALYZE product")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in STATISTICS:
            op.execute(f"DROP STATISTICS IF EXISTS {name}")
    op.drop_index("ix_product_workspace_id_status_updated_at", table_name="product")
