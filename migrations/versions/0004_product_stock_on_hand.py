"""product stock totals: a per-product stock figure kept by the database, so the stock sort walks an index

Revision ID: 0004_product_stock_on_hand
Revises: 0003_search_words_index
Create Date: 2026-11-25 23:45:00

Written by hand. `product_stock.on_hand` is what a product could sell if nothing were reserved: the sum over
its variants of `max(inventory_quantity, 0)` (a variant Shopify oversold counts as 0, as it does in
`app.catalog.stock`). The Products page sorts by it and corrects the few products with active
reservations (`app.catalog.listing`).

Its own table, not a column of `product`: every `product` UPDATE recomputes the generated `search_tsv`,
re-indexes it (GIN) and runs the search-word trigger of 0002, and a stock change would then also lock the
product row after its variants, the reverse of the order the sync and the API take (product, then variants).
Here the row is written last by everyone, after the variants, and triggers write several rows in id order.

The database keeps it, so every writer (sync upserts, webhooks, stock changes, API edits, deletes) stays
right without knowing about it. Postgres: statement-level triggers with transition tables on `product_variant`
(one grouped upsert per statement, so the bulk sync stays set-based), and one on `product` INSERT that gives
every new product its row. SQLite: row-level triggers. The rows are backfilled here.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004_product_stock_on_hand"
down_revision = "0003_search_words_index"
branch_labels = None
depends_on = None

# `changes` yields (workspace_id, product_id, delta); rows sorted by product id so that two writers lock the
# same rows in the same order.
PG_APPLY = (
    "INSERT INTO product_stock (product_id, workspace_id, on_hand) "
    "SELECT product_id, min(workspace_id), sum(delta) FROM ({changes}) AS c GROUP BY product_id "
    "HAVING sum(delta) <> 0 ORDER BY product_id "
    "ON CONFLICT (product_id) DO UPDATE SET on_hand = product_stock.on_hand + excluded.on_hand"
)
PG_NEW = "SELECT workspace_id, product_id, greatest(inventory_quantity, 0) AS delta FROM new_rows"
PG_OLD = "SELECT workspace_id, product_id, -greatest(inventory_quantity, 0) AS delta FROM old_rows"
PG_FUNCTION = f"""
CREATE FUNCTION product_stock_from_variants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {PG_APPLY.format(changes=PG_NEW)};
    ELSIF TG_OP = 'DELETE' THEN
        -- A product deleted in the same statement (cascade) has no row left to update: skip it.
        {PG_APPLY.format(changes=PG_OLD + " WHERE EXISTS (SELECT 1 FROM product p WHERE p.id = old_rows.product_id)")};
    ELSE
        {PG_APPLY.format(changes=PG_NEW + " UNION ALL " + PG_OLD)};
    END IF;
    RETURN NULL;
END $$
"""
PG_PRODUCT_FUNCTION = """
CREATE FUNCTION product_stock_for_products() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_stock (product_id, workspace_id, on_hand)
    SELECT id, workspace_id, 0 FROM new_rows ORDER BY id ON CONFLICT (product_id) DO NOTHING;
    RETURN NULL;
END $$
"""
# Transition tables allow one event per trigger (and no column list), hence three triggers on variants.
PG_TRIGGERS = {
    "product_stock_variant_insert": "AFTER INSERT ON product_variant REFERENCING NEW TABLE AS new_rows",
    "product_stock_variant_update": (
        "AFTER UPDATE ON product_variant REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    ),
    "product_stock_variant_delete": "AFTER DELETE ON product_variant REFERENCING OLD TABLE AS old_rows",
}

SQLITE_ADD = (
    "INSERT INTO product_stock (product_id, workspace_id, on_hand) "
    "SELECT NEW.product_id, NEW.workspace_id, max(NEW.inventory_quantity, 0) "
    "WHERE EXISTS (SELECT 1 FROM product WHERE id = NEW.product_id) "
    "ON CONFLICT (product_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand;"
)
SQLITE_REMOVE = (
    "UPDATE product_stock SET on_hand = on_hand - max(OLD.inventory_quantity, 0) "
    "WHERE product_id = OLD.product_id;"
)
SQLITE_TRIGGERS = {
    "product_stock_product_ai": (
        "AFTER INSERT ON product BEGIN INSERT INTO product_stock (product_id, workspace_id, on_hand) "
        "VALUES (NEW.id, NEW.workspace_id, 0) ON CONFLICT (product_id) DO NOTHING; END"
    ),
    "product_stock_variant_ai": f"AFTER INSERT ON product_variant BEGIN {SQLITE_ADD} END",
    "product_stock_variant_ad": f"AFTER DELETE ON product_variant BEGIN {SQLITE_REMOVE} END",
    "product_stock_variant_au": (
        "AFTER UPDATE OF inventory_quantity, product_id ON product_variant "
        "WHEN max(OLD.inventory_quantity, 0) IS NOT max(NEW.inventory_quantity, 0) "
        f"OR OLD.product_id IS NOT NEW.product_id BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END"
    ),
}


def upgrade():
    op.create_table(
        "product_stock",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id"),
    )
    dialect = op.get_bind().dialect.name
    clamp = "greatest" if dialect == "postgresql" else "max"
    op.execute(
        "INSERT INTO product_stock (product_id, workspace_id, on_hand) "
        f"SELECT p.id, p.workspace_id, coalesce((SELECT sum({clamp}(v.inventory_quantity, 0)) "
        "FROM product_variant v WHERE v.product_id = p.id), 0) FROM product p"
    )
    op.create_index(
        "ix_product_stock_workspace_id_on_hand_product_id",
        "product_stock",
        ["workspace_id", "on_hand", "product_id"],
    )
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_PRODUCT_FUNCTION)
        for name, when in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION product_stock_from_variants()"
            )
        op.execute(
            "CREATE TRIGGER product_stock_product_insert AFTER INSERT ON product REFERENCING NEW TABLE AS "
            "new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_stock_for_products()"
        )
        op.execute("ANALYZE product_stock")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON product_variant")
        op.execute("DROP TRIGGER IF EXISTS product_stock_product_insert ON product")
        op.execute("DROP FUNCTION IF EXISTS product_stock_from_variants()")
        op.execute("DROP FUNCTION IF EXISTS product_stock_for_products()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_product_stock_workspace_id_on_hand_product_id", table_name="product_stock")
    op.drop_table("product_stock")
