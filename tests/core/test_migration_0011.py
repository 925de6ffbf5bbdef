"""Migration 0011 carries each store's single location and today's stock over as per-location levels (with
our unapplied commits kept out of Shopify's figure, so the rule gives back the same stock), and downgrades
with `inventory_quantity` untouched."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app.extensions import db
from tests.core.test_migrations import MIGRATIONS, sqlite_app

BEFORE = "0010_catalog_whole"
NOW = "2026-11-01 00:00:00"


def _seed(conn):
    conn.execute(text("INSERT INTO workspace (id, name, agent_enabled, created_at, updated_at) "
                      "VALUES (1, 'Shop', 0, :now, :now)"), {"now": NOW})  # fmt: skip
    for id_, config in ((1, '{"location_id": "gid://shopify/Location/77"}'), (2, "{}")):
        conn.execute(
            text("INSERT INTO integration (id, workspace_id, platform, account_id, status, config, sync_status, "
                 "created_at, updated_at) VALUES (:id, 1, 'shopify', :acc, 'connected', :config, 'idle', :now, :now)"),
            {"id": id_, "acc": f"s{id_}.myshopify.com", "config": config, "now": NOW},
        )  # fmt: skip
    for id_, store in ((1, 1), (2, 2)):
        conn.execute(
            text("INSERT INTO product (id, workspace_id, integration_id, shopify_product_id, title, status, images, "
                 "platform_sync, created_at, updated_at) VALUES (:id, 1, :store, :gid, 'P', 'active', '[]', '{}', :now, :now)"),
            {"id": id_, "store": store, "gid": f"gid://shopify/Product/{id_}", "now": NOW},
        )  # fmt: skip
    for id_, product, qty in ((1, 1, 7), (2, 1, 0), (3, 2, 5)):
        conn.execute(
            text("INSERT INTO product_variant (id, workspace_id, product_id, title, position, price, inventory_quantity, "
                 "option_values, created_at, updated_at) VALUES (:id, 1, :p, 'V', 1, 1, :q, '[]', :now, :now)"),
            {"id": id_, "p": product, "q": qty, "now": NOW},
        )  # fmt: skip
    conn.execute(
        text("INSERT INTO inventory_adjustment (workspace_id, integration_id, variant_id, reason, delta, "
             "idempotency_key, status, attempts, created_at) VALUES (1, 1, 1, 'order', -2, 'k1', 'pending', 0, :now)"),
        {"now": NOW},
    )  # fmt: skip


def test_the_single_location_and_its_stock_are_carried_over_and_the_migration_downgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'carry.db'}"
    app = sqlite_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            _seed(conn)
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            locations = conn.execute(text("SELECT id, integration_id, shopify_location_id, active, "
                                          "fulfills_online_orders FROM location")).all()  # fmt: skip
            levels = conn.execute(text("SELECT variant_id, location_id, on_hand, available, committed "
                                       "FROM variant_location_stock ORDER BY variant_id")).all()  # fmt: skip
        # Only the store that knew its location; the other store's variant waits for its first sync.
        assert [tuple(r) for r in locations] == [(1, 1, "gid://shopify/Location/77", 1, 1)]
        # Shopify's figure is 9 for variant 1: 7 here plus the 2 units committed and not yet written back.
        assert [tuple(r) for r in levels] == [(1, 1, 9, 9, 0), (2, 1, 0, 0, 0)]

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            quantities = dict(conn.execute(text("SELECT id, inventory_quantity FROM product_variant")).all())
        db.engine.dispose()
    assert quantities == {1: 7, 2: 0, 3: 5}
    assert not {"location", "variant_location_stock"} & set(inspect(create_engine(url)).get_table_names())
