"""Shared fixtures: the app on real Postgres + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set, and on a
SQLite file + fakeredis otherwise. The schema is built by the migrations (not create_all), once per session;
each test starts from empty tables and an empty Redis database.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.config import _database_url as normalise_database_url
from app.extensions import db as _db
from app.models import Workspace
from app.services import accounts

pytest_plugins = ["tests.factories"]

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def app():
    tmp_root = Path(tempfile.mkdtemp(prefix="wagents-test-"))
    url = _database_url(tmp_root)

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = normalise_database_url(url)

    application = create_app(_Config)
    with application.app_context():
        _reset_schema()
        from flask_migrate import upgrade

        upgrade(directory=MIGRATIONS)
    yield application
    with application.app_context():
        _db.engine.dispose()


def _reset_schema():
    engine = _db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def _empty_tables():
    engine = _db.engine
    tables = [t.name for t in _db.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for name in reversed(tables):
                conn.execute(text(f'DELETE FROM "{name}"'))
            conn.execute(text("PRAGMA foreign_keys=ON"))
    if engine.dialect.name == "sqlite":
        # PRAGMA foreign_keys is a no-op inside the transaction above, so the pooled connection would keep
        # foreign keys OFF (no cascades) for the next test: drop it; new connections turn them back on.
        engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Every test runs in a fresh app context, with empty tables, an empty Redis database and no counted
    attempts."""
    with app.app_context():
        from app.extensions import limiter
        from app.queues import get_redis

        get_redis().flushdb()
        limiter.reset()  # the embedded default counts attempts in memory, not in Redis
        try:
            yield
        finally:
            _db.session.remove()
            _empty_tables()
            app.extensions.pop("meta_app_secrets", None)  # per-process secret cache: tables are emptied
            get_redis().flushdb()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(email: str | None = None, password: str = "correct horse battery", workspace: str | None = None):
        n = next(counter)
        return accounts.create_user(email or f"user{n}@example.com", password, workspace or f"Shop {n}")

    return make


@pytest.fixture
def user(make_user):
    return make_user("owner@example.com")


@pytest.fixture
def workspace(user) -> Workspace:
    return user.workspace


@pytest.fixture
def auth_client(app, user):
    """A test client logged in as `user` (a server-side session in Flask-Login's cookie, as the login form
    would make)."""
    test_client = app.test_client()
    log_in(test_client, user)
    return test_client


def log_in(test_client, user) -> str:
    """Open a login session for `user` on `test_client` without the form; return the session's token."""
    from app.services import sessions

    token = sessions.start_session(user)
    with test_client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return token


@pytest.fixture
def api_token(user) -> str:
    _, plain = accounts.create_api_token(user, "tests")
    return plain


@pytest.fixture
def api_client(app, api_token):
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token}"
    return test_client


@pytest.fixture
def run_jobs(app):
    """Drain every queue with a real RQ worker in burst mode, in this thread and app context."""
    from app.worker import burst

    def run(queues=None, max_jobs: int | None = None):
        from app.queues import QUEUES

        return burst(queues or QUEUES, max_jobs=max_jobs)

    return run
