"""product search: Postgres full text + a word list for typos, SQLite FTS5 tables kept in sync by triggers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:00:00

Written by hand (autogenerate cannot express any of it). The objects are not declared in the models;
`app/models/search_objects.py` names them so the models-vs-migrations check skips exactly these.
The tsvector expression below must stay identical to `app/catalog/search.py` (it reads `search_tsv`).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PG_TSV = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(vendor, '') || ' ' || coalesce(product_type, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(tags, '')), 'C')"
)

SQLITE_SKUS = "coalesce((SELECT group_concat(sku, ' ') FROM product_variant WHERE product_id = {pid}), '')"
SQLITE_INSERT = (
    "INSERT INTO product_search_fts(rowid, workspace_id, title, meta, tags, skus) VALUES ("
    "new.id, new.workspace_id, new.title, coalesce(new.vendor, '') || ' ' || coalesce(new.product_type, ''), "
    "coalesce(new.tags, ''), " + SQLITE_SKUS.format(pid="new.id") + "); "
    "INSERT INTO product_search_trgm(rowid, title) VALUES (new.id, new.title);"
)
SQLITE_DELETE = (
    "DELETE FROM product_search_fts WHERE rowid = old.id; DELETE FROM product_search_trgm WHERE rowid = old.id;"
)


def _skus_update(pid: str) -> str:
    return f"UPDATE product_search_fts SET skus = {SQLITE_SKUS.format(pid=pid)} WHERE rowid = {pid};"


SQLITE_STATEMENTS = [
    "CREATE VIRTUAL TABLE product_search_fts USING fts5("
    "workspace_id UNINDEXED, title, meta, tags, skus, tokenize = 'unicode61 remove_diacritics 2')",
    # Titles again, cut into trigrams: the typo-tolerant fallback (FTS5 has no edit distance).
    "CREATE VIRTUAL TABLE product_search_trgm USING fts5(title, tokenize = 'trigram')",
    f"CREATE TRIGGER product_search_product_ai AFTER INSERT ON product BEGIN {SQLITE_INSERT} END",
    f"CREATE TRIGGER product_search_product_ad AFTER DELETE ON product BEGIN {SQLITE_DELETE} END",
    "CREATE TRIGGER product_search_product_au AFTER UPDATE OF title, vendor, product_type, tags, workspace_id "
    f"ON product BEGIN {SQLITE_DELETE} {SQLITE_INSERT} END",
    "CREATE TRIGGER product_search_variant_ai AFTER INSERT ON product_variant BEGIN "
    f"{_skus_update('new.product_id')} END",
    "CREATE TRIGGER product_search_variant_ad AFTER DELETE ON product_variant BEGIN "
    f"{_skus_update('old.product_id')} END",
    "CREATE TRIGGER product_search_variant_au AFTER UPDATE OF sku, product_id ON product_variant BEGIN "
    f"{_skus_update('old.product_id')} {_skus_update('new.product_id')} END",
    # Rows that exist before this migration.
    "INSERT INTO product_search_fts(rowid, workspace_id, title, meta, tags, skus) "
    "SELECT id, workspace_id, title, coalesce(vendor, '') || ' ' || coalesce(product_type, ''), "
    "coalesce(tags, ''), " + SQLITE_SKUS.format(pid="product.id") + " FROM product",
    "INSERT INTO product_search_trgm(rowid, title) SELECT id, title FROM product",
]

SQLITE_TRIGGERS = [
    "product_search_product_ai", "product_search_product_ad", "product_search_product_au",
    "product_search_variant_ai", "product_search_variant_ad", "product_search_variant_au",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # Stored, not an expression index: ranking reads the vector instead of re-parsing every match.
        op.execute(f"ALTER TABLE product ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ({PG_TSV}) STORED")
        op.execute("CREATE INDEX ix_product_search_tsv ON product USING gin (search_tsv)")
        # Every word of a workspace's catalog, for typo correction: small, so trigram lookups stay fast.
        # Statement triggers with transition tables: one sorted insert per statement (bulk syncs stay
        # set-based, and two writers insert words in the same order).
        op.execute(
            "CREATE TABLE product_search_words (workspace_id integer NOT NULL REFERENCES workspace (id) "
            "ON DELETE CASCADE, word text NOT NULL, CONSTRAINT product_search_words_pkey PRIMARY KEY (workspace_id, word))"
        )
        op.execute("CREATE INDEX ix_product_search_words_trgm ON product_search_words USING gin (word gin_trgm_ops)")
        op.execute(
            "CREATE FUNCTION product_search_words_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "INSERT INTO product_search_words (workspace_id, word) "
            "SELECT DISTINCT r.workspace_id, w FROM new_rows r, unnest(tsvector_to_array(r.search_tsv)) AS w "
            "WHERE length(w) BETWEEN 3 AND 60 ORDER BY 1, 2 ON CONFLICT DO NOTHING; RETURN NULL; END $$"
        )
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER product_search_words_{event.lower()} AFTER {event} ON product "
                "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_words_add()"
            )
        op.execute(
            "INSERT INTO product_search_words (workspace_id, word) SELECT DISTINCT workspace_id, w FROM product, "
            "unnest(tsvector_to_array(search_tsv)) AS w WHERE length(w) BETWEEN 3 AND 60 ON CONFLICT DO NOTHING"
        )
        op.execute(
            "CREATE INDEX ix_product_search_sku ON product_variant (workspace_id, lower(sku) text_pattern_ops)"
        )
    elif dialect == "sqlite":
        for statement in SQLITE_STATEMENTS:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_product_search_sku")
        op.execute("DROP TRIGGER IF EXISTS product_search_words_insert ON product")
        op.execute("DROP TRIGGER IF EXISTS product_search_words_update ON product")
        op.execute("DROP FUNCTION IF EXISTS product_search_words_add()")
        op.execute("DROP TABLE IF EXISTS product_search_words")
        op.execute("DROP INDEX IF EXISTS ix_product_search_tsv")
        op.execute("ALTER TABLE product DROP COLUMN IF EXISTS search_tsv")
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS product_search_trgm")
        op.execute("DROP TABLE IF EXISTS product_search_fts")
