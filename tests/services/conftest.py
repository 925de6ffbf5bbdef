"""A second app built in demo mode (as `flask demo` builds it) on the test database: the demo store mounted at
/demo-store, the Shopify client pointed at it."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import TestConfig
from app.extensions import db


@pytest.fixture
def demo_app(app, tmp_path):
    class _DemoConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        DEMO_MODE = True
        DEMO_STORE_DB = str(tmp_path / "demo-store.sqlite3")
        APP_URL = "http://demo.test"

    demo = create_app(_DemoConfig)
    demo.extensions["demo_store"].webhook_async = False
    demo.extensions["demo_store"].deliver = lambda url, body, headers: None
    yield demo
    with demo.app_context():
        db.session.remove()
        db.engine.dispose()
    demo.extensions["demo_store"].db.close()
