"""0014_messaging goes down to 0013_product_feed and up again on an empty database."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db
from tests.core.test_migrations import MIGRATIONS, sqlite_app

TABLES = {"customer", "consent_event", "outbox_message", "message_template", "automation"}


def test_downgrade_drops_the_messaging_tables_and_upgrade_brings_them_back(tmp_path):
    fresh = sqlite_app(f"sqlite:///{tmp_path / 'down.db'}")
    with fresh.app_context():
        upgrade(directory=MIGRATIONS)
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        downgrade(directory=MIGRATIONS, revision="0013_product_feed")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        upgrade(directory=MIGRATIONS)
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        db.engine.dispose()
