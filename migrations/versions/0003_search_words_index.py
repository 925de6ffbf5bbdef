"""product search: typo lookups through one index on (workspace, word trigrams)

Revision ID: 0003_search_words_index
Revises: 0003_product_list_filters
Create Date: 2026-11-25 23:10:00

Written by hand (like 0002, whose objects it changes; `app/models/search_objects.py` names them).
Postgres: `product_search_words` holds every workspace's words in one table. Its trigram index (0002) knew
only the words, so a typo lookup found similar words of every workspace and intersected them with all of the
workspace's words through the primary key: ~13 ms per query word for a workspace of 70,000 words in a
table of 1,000,000, against ~0.5 ms when one index holds both (the `btree_gin` extension lets a GIN index
carry the integer column). It replaces the old index, so the sync's word upkeep maintains one index, as
before. SQLite: nothing (its typo search reads the FTS5 trigram table).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0003_search_words_index"
down_revision = "0003_product_list_filters"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(
        "CREATE INDEX ix_product_search_words_ws_trgm ON product_search_words "
        "USING gin (workspace_id, word gin_trgm_ops)"
    )
    op.execute("DROP INDEX IF EXISTS ix_product_search_words_trgm")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_product_search_words_trgm ON product_search_words USING gin (word gin_trgm_ops)")
    op.execute("DROP INDEX IF EXISTS ix_product_search_words_ws_trgm")
