"""Migration 0012 gives the tokens that exist every scope (no script loses access on upgrade), and
downgrades."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app.extensions import db
from app.models.accounts import ALL_SCOPES
from tests.core.test_migrations import MIGRATIONS, sqlite_app

NOW = "2026-11-01 00:00:00"


def test_existing_tokens_keep_every_scope_and_the_migration_downgrades(tmp_path):
    app = sqlite_app(f"sqlite:///{tmp_path / 'scopes.db'}")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0011_locations")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO workspace (id, name, agent_enabled, created_at, updated_at) "
                              "VALUES (1, 'Shop', 0, :now, :now)"), {"now": NOW})  # fmt: skip
            conn.execute(text("INSERT INTO api_token (id, workspace_id, name, token_hash, token_prefix, created_at) "
                              "VALUES (1, 1, 'old', :h, 'wag_abc', :now)"), {"h": "0" * 64, "now": NOW})  # fmt: skip
        upgrade(directory=MIGRATIONS, revision="0012_agent_access")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT scopes FROM api_token")).scalar() == ALL_SCOPES
        downgrade(directory=MIGRATIONS, revision="0011_locations")
        inspector = inspect(db.engine)
        assert "agent_call" not in inspector.get_table_names()
        assert "scopes" not in {c["name"] for c in inspector.get_columns("api_token")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM api_token")).scalar() == "old"
        db.engine.dispose()
