"""Migration 0007 carries integrations over to the holder rule: per account, the row the old routing picked among
connected and needs-reauth rows holds it; a second connected row is told; rows that never connected hold nothing."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app.extensions import db
from tests.core.test_migrations import MIGRATIONS, sqlite_app

BEFORE = "0006_bulk_write_checks"
ROWS = [  # id, workspace, platform, account, status
    (1, 1, "shopify", "casa-nova.myshopify.com", "disconnected"),  # a row added first, never connected
    (2, 2, "shopify", "casa-nova.myshopify.com", "connected"),
    (3, 3, "shopify", "casa-nova.myshopify.com", "connected"),  # the same shop connected a second time
    (4, 1, "shopify", "uninstalled.myshopify.com", "needs_reauth"),  # shop/redact is still to come
    (5, 2, "shopify", "never.myshopify.com", "disconnected"),
    (6, 1, "whatsapp", "106540352242922", "connected"),
]


def test_existing_rows_are_carried_over_and_the_migration_downgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'carry.db'}"

    app = sqlite_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            for ws in (1, 2, 3):
                conn.execute(
                    text("INSERT INTO workspace (id, name, agent_enabled, created_at, updated_at) "
                         "VALUES (:id, :name, 0, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"),
                    {"id": ws, "name": f"Shop {ws}"},
                )  # fmt: skip
            for id_, ws, platform, account, status in ROWS:
                conn.execute(
                    text("INSERT INTO integration (id, workspace_id, platform, account_id, status, config, "
                         "sync_status, created_at, updated_at) VALUES (:id, :ws, :platform, :account, :status, "
                         "'{}', 'idle', '2026-11-01 00:00:00', '2026-11-02 00:00:00')"),
                    {"id": id_, "ws": ws, "platform": platform, "account": account, "status": status},
                )  # fmt: skip

        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, status, proved_at IS NOT NULL, status_message FROM integration ORDER BY id")
            ).all()
        assert [(r[0], r[1], r[2]) for r in rows] == [
            (1, "disconnected", False),
            (2, "connected", True),
            (3, "needs_reauth", False),
            (4, "needs_reauth", True),
            (5, "disconnected", False),
            (6, "connected", True),
        ]
        assert "also connected to another workspace" in rows[2][3]

        downgrade(directory=MIGRATIONS, revision=BEFORE)
        db.engine.dispose()
    columns = {c["name"] for c in inspect(create_engine(url)).get_columns("integration")}
    assert "proved_at" not in columns and "account_id" in columns
