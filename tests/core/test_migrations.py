"""The migrations build the schema the models describe, on the test database and on a fresh SQLite file."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.models.search_objects import include_object

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def _diff(connection):
    # include_object skips only the hand-written search objects of migration 0002 (see search_objects).
    opts = {"compare_type": True, "include_object": include_object}
    context = MigrationContext.configure(connection, opts=opts)
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree_on_test_database(app):
    with db.engine.connect() as connection:
        assert _diff(connection) == []


def sqlite_app(url: str):
    """The app on an empty SQLite file of its own, for tests that run the migrations themselves."""

    class Fresh(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(Fresh)


def test_upgrade_builds_schema_on_empty_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh = sqlite_app(url)
    with fresh.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            assert _diff(connection) == []
        db.engine.dispose()
    tables = set(inspect(create_engine(url)).get_table_names())
    expected = {
        "workspace", "user", "api_token", "integration", "product", "product_variant", "product_category",
        "orders", "order_items", "webhook", "sync_run", "sync_log", "reservation", "conversation", "message",
    }  # fmt: skip
    assert expected <= tables


# Child columns whose parent is only ever deleted one row at a time (an integration, a user) or whose table
# stays small: one scan of the child table per such delete is acceptable. Every other foreign key needs an
# index under it, or deleting parents in bulk scans the child table once per deleted row.
UNINDEXED_OK = {
    ("alert", "integration_id"), ("api_token", "user_id"), ("conversation", "integration_id"),
    ("webhook", "integration_id"), ("orders", "integration_id"), ("inventory_adjustment", "integration_id"),
    ("compliance_request", "webhook_id"),
}  # fmt: skip


def test_foreign_keys_of_bulk_deleted_parents_have_an_index(app):
    inspector = inspect(db.engine)
    missing = []
    for table in inspector.get_table_names():
        leading = {tuple(i["column_names"][:1]) for i in inspector.get_indexes(table)}
        leading |= {tuple(c["column_names"][:1]) for c in inspector.get_unique_constraints(table)}
        leading.add(tuple(inspector.get_pk_constraint(table)["constrained_columns"][:1]))
        for fk in inspector.get_foreign_keys(table):
            column = fk["constrained_columns"][0]
            if (column,) not in leading and (table, column) not in UNINDEXED_OK:
                missing.append(f"{table}.{column} -> {fk['referred_table']}")
    assert missing == []
