"""every location: a location table and each variant's stock per location

Revision ID: 0011_locations
Revises: 0010_catalog_whole
Create Date: 2026-12-03 15:10:00

Written by hand. Until now a shop's stock was one figure per variant (`product_variant.inventory_quantity`)
read as if the shop had one location, the one in `integration.config["location_id"]`. This adds:

- `location`: a shop's locations (name, active, fulfils online orders), per integration.
- `location.sell_from`: the merchant's choice of the locations the channels sell from (NULL: the default,
  the active locations that fulfil online orders).
- `inventory_adjustment.location_gid`: the location a stock change is written back to.
- `variant_location_stock`: on hand, available and committed per variant per location.

Carry-over: every Shopify integration with a `config["location_id"]` gets that location as a row (active,
fulfilling online orders, named after its id until the next sync reads its name), and every variant of that
store's products a level there: available = `inventory_quantity` minus our commits Shopify has not applied
yet (pending adjustments), so the stock rule gives back exactly today's `inventory_quantity`. The downgrade
drops both tables; `inventory_quantity` still holds the sum the rule keeps there, so nothing is lost.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_locations"
down_revision = "0010_catalog_whole"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)

LOCATION_CARRY = """
INSERT INTO location (workspace_id, integration_id, shopify_location_id, name, active, fulfills_online_orders,
                      created_at, updated_at)
SELECT workspace_id, id, {loc}, {loc}, {true}, {true}, {now}, {now}
FROM integration WHERE platform = 'shopify' AND {loc} IS NOT NULL AND {loc} <> ''
"""
LEVEL_CARRY = """
INSERT INTO variant_location_stock (variant_id, location_id, workspace_id, on_hand, available, committed,
                                    source_updated_at, updated_at)
SELECT v.id, l.id, v.workspace_id, v.inventory_quantity - p.pending, v.inventory_quantity - p.pending, 0,
       v.inventory_updated_at, {now}
FROM product_variant v
JOIN product pr ON pr.id = v.product_id
JOIN location l ON l.integration_id = pr.integration_id
CROSS JOIN LATERAL (
    SELECT coalesce(sum(a.delta), 0) AS pending FROM inventory_adjustment a
    WHERE a.variant_id = v.id AND a.status = 'pending'
) p
"""
# SQLite has no LATERAL: the same figure as a correlated subquery.
SQLITE_LEVEL_CARRY = """
INSERT INTO variant_location_stock (variant_id, location_id, workspace_id, on_hand, available, committed,
                                    source_updated_at, updated_at)
SELECT v.id, l.id, v.workspace_id, v.inventory_quantity - p.pending, v.inventory_quantity - p.pending, 0,
       v.inventory_updated_at, {now}
FROM product_variant v
JOIN product pr ON pr.id = v.product_id
JOIN location l ON l.integration_id = pr.integration_id
JOIN (
    SELECT v2.id AS variant_id, (SELECT coalesce(sum(a.delta), 0) FROM inventory_adjustment a
                                 WHERE a.variant_id = v2.id AND a.status = 'pending') AS pending
    FROM product_variant v2
) p ON p.variant_id = v.id
"""


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("shopify_location_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("fulfills_online_orders", sa.Boolean(), nullable=False),
        sa.Column("sell_from", sa.Boolean(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["integration.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("integration_id", "shopify_location_id"),
    )
    op.create_index("ix_location_workspace_id", "location", ["workspace_id"])
    op.create_table(
        "variant_location_stock",
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("committed", sa.Integer(), nullable=False),
        sa.Column("source_updated_at", UTC_TIME, nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["variant_id"], ["product_variant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("variant_id", "location_id"),
    )
    op.create_index("ix_variant_location_stock_location_id", "variant_location_stock", ["location_id"])
    op.create_index("ix_variant_location_stock_workspace_id", "variant_location_stock", ["workspace_id"])
    if sqlite:
        loc, true, now = "json_extract(config, '$.location_id')", "1", "CURRENT_TIMESTAMP"
        level = SQLITE_LEVEL_CARRY
    else:
        loc, true, now = "(config::json ->> 'location_id')", "true", "now()"
        level = LEVEL_CARRY
    op.add_column("inventory_adjustment", sa.Column("location_gid", sa.String(length=100), nullable=True))
    op.execute(LOCATION_CARRY.format(loc=loc, true=true, now=now))
    op.execute(level.format(now=now))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE inventory_adjustment DROP COLUMN location_gid")
    else:
        op.drop_column("inventory_adjustment", "location_gid")
    op.drop_index("ix_variant_location_stock_workspace_id", table_name="variant_location_stock")
    op.drop_index("ix_variant_location_stock_location_id", table_name="variant_location_stock")
    op.drop_table("variant_location_stock")
    op.drop_index("ix_location_workspace_id", table_name="location")
    op.drop_table("location")
