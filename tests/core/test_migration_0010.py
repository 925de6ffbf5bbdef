"""Migration 0010 carries today's images into product_media (in order, alt text kept) and each Shopify
product's store from its workspace's integration, and downgrades with product.images untouched."""

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app.extensions import db
from tests.core.test_migrations import MIGRATIONS, sqlite_app

BEFORE = "0009_webhook_superseded_by"
IMAGES = [{"url": "https://cdn.shopify.com/a.jpg", "alt": "Front"}, {"url": "https://cdn.shopify.com/b.jpg", "alt": None},
          {"url": "https://cdn.shopify.com/c.jpg", "alt": "Back"}]  # fmt: skip
NOW = "2026-11-01 00:00:00"


def test_images_and_stores_are_carried_over_and_the_migration_downgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'carry.db'}"
    app = sqlite_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            for ws in (1, 2):
                conn.execute(text("INSERT INTO workspace (id, name, agent_enabled, created_at, updated_at) "
                                  "VALUES (:id, :name, 0, :now, :now)"), {"id": ws, "name": f"Shop {ws}", "now": NOW})  # fmt: skip
            for id_, ws, status in ((1, 1, "disconnected"), (2, 1, "connected"), (3, 2, "needs_reauth")):
                conn.execute(
                    text("INSERT INTO integration (id, workspace_id, platform, account_id, status, config, sync_status, "
                         "created_at, updated_at) VALUES (:id, :ws, 'shopify', :acc, :status, '{}', 'idle', :now, :now)"),
                    {"id": id_, "ws": ws, "acc": f"s{id_}.myshopify.com", "status": status, "now": NOW},
                )  # fmt: skip
            for id_, ws, gid, images in ((1, 1, "gid://shopify/Product/1", IMAGES), (2, 1, None, IMAGES[:1]),
                                         (3, 2, "gid://shopify/Product/3", []), (4, 2, "gid://shopify/Product/4", IMAGES[1:])):  # fmt: skip
                conn.execute(
                    text("INSERT INTO product (id, workspace_id, shopify_product_id, title, status, images, platform_sync, "
                         "created_at, updated_at) VALUES (:id, :ws, :gid, 'P', 'active', :images, '{}', :now, :now)"),
                    {"id": id_, "ws": ws, "gid": gid, "images": json.dumps(images), "now": NOW},
                )  # fmt: skip

        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            media = conn.execute(text("SELECT product_id, position, media_type, url, alt, shopify_media_id "
                                      "FROM product_media ORDER BY product_id, position")).all()  # fmt: skip
            stores = dict(conn.execute(text("SELECT id, integration_id FROM product ORDER BY id")).all())
        assert [tuple(m) for m in media] == [
            (1, 1, "IMAGE", IMAGES[0]["url"], "Front", None), (1, 2, "IMAGE", IMAGES[1]["url"], None, None),
            (1, 3, "IMAGE", IMAGES[2]["url"], "Back", None), (2, 1, "IMAGE", IMAGES[0]["url"], "Front", None),
            (4, 1, "IMAGE", IMAGES[1]["url"], None, None), (4, 2, "IMAGE", IMAGES[2]["url"], "Back", None),
        ]  # fmt: skip
        # The connected store of workspace 1; workspace 2's only store; a product made in the app has none.
        assert stores == {1: 2, 2: None, 3: 3, 4: 3}
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM integration WHERE id = 3"))
            assert conn.execute(text("SELECT integration_id FROM product WHERE id = 4")).scalar() is None

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            images = conn.execute(text("SELECT images FROM product WHERE id = 1")).scalar()
            triggers = {
                r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            }
        db.engine.dispose()
    assert json.loads(images) == IMAGES
    inspector = inspect(create_engine(url))
    assert "integration_id" not in {c["name"] for c in inspector.get_columns("product")}
    assert not {"product_media", "order_fulfillment", "order_refund", "collection"} & set(
        inspector.get_table_names()
    )
    assert "product_integration_deleted" not in triggers and "product_stock_product_deleted" in triggers
