"""Configuration read from the environment once, at import of the class.

Nothing here talks to a service; `create_app` picks a class and Flask copies its attributes.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _database_url(value: str | None) -> str:
    if not value:
        instance = BASE_DIR / "instance"
        instance.mkdir(exist_ok=True)
        return f"sqlite:///{instance / 'wagents.db'}"
    # Heroku-style URLs use the old scheme name; SQLAlchemy wants the driver spelled out.
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://") :]
    if value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://") :]
    return value


def _bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-change-me")
    ENCRYPTION_KEY = os.environ.get("ENCRYPTION_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    APP_URL = os.environ.get("APP_URL", "http://127.0.0.1:5000").rstrip("/")
    # Where outside agents reach the MCP server (the Procfile's `mcp:` process), shown on Settings → Agents.
    MCP_URL = os.environ.get("MCP_URL", "http://127.0.0.1:8001/mcp")
    # Tool calls allowed per API token over MCP (Flask-Limiter windows, counted in Redis when set).
    MCP_RATE_LIMIT = os.environ.get("MCP_RATE_LIMIT", "120 per minute; 2000 per hour")

    SHOPIFY_API_KEY = os.environ.get("SHOPIFY_API_KEY", "")
    SHOPIFY_API_SECRET = os.environ.get("SHOPIFY_API_SECRET", "")
    SHOPIFY_API_VERSION = os.environ.get("SHOPIFY_API_VERSION", "2026-10")
    SHOPIFY_API_BASE = os.environ.get("SHOPIFY_API_BASE", "https://{shop}")
    SHOPIFY_SCOPES = os.environ.get(
        "SHOPIFY_SCOPES",
        "read_products,write_products,read_orders,read_inventory,write_inventory,read_locations",
    )

    META_APP_SECRET = os.environ.get("META_APP_SECRET", "")
    META_VERIFY_TOKEN = os.environ.get("META_VERIFY_TOKEN", "")
    META_GRAPH_BASE = os.environ.get("META_GRAPH_BASE", "https://graph.facebook.com").rstrip("/")
    META_GRAPH_VERSION = os.environ.get("META_GRAPH_VERSION", "v25.0")
    # The outbox (app.messaging.sender): how long a claimed message is held, how long past that a silent
    # attempt waits for Meta's status webhook before it is sent again, and when a queued row's lost job is
    # re-enqueued. All in seconds.
    MESSAGING_LEASE = float(os.environ.get("MESSAGING_LEASE", "60"))
    MESSAGING_RECONCILE_GRACE = float(os.environ.get("MESSAGING_RECONCILE_GRACE", "120"))
    MESSAGING_REENQUEUE_AFTER = float(os.environ.get("MESSAGING_REENQUEUE_AFTER", "120"))
    # Messages a second per WhatsApp number, shared by every sender (Meta's default throughput is 80).
    MESSAGING_PER_SECOND = int(os.environ.get("MESSAGING_PER_SECOND", "80"))

    OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY") or None
    OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL") or None
    OPENAI_MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")

    # Catalogs with more products than this sync through a bulk operation (JSONL export) instead of pages.
    SYNC_BULK_THRESHOLD = int(os.environ.get("SYNC_BULK_THRESHOLD", "5000"))
    # An alert is raised when the webhook inbox's oldest waiting delivery is older than this (seconds).
    WEBHOOK_LAG_ALERT_SECONDS = int(os.environ.get("WEBHOOK_LAG_ALERT_SECONDS", "300"))

    # Demo mode mounts the local stand-in Shopify store at /demo-store and seeds a demo workspace.
    DEMO_MODE = _bool("DEMO_MODE", False)
    DEMO_STORE_DB = os.environ.get("DEMO_STORE_DB") or None
    DEMO_PHONE_DB = os.environ.get("DEMO_PHONE_DB") or None
    # Without REDIS_URL the app runs RQ on fakeredis with a worker thread and the scheduler in-process.
    EMBEDDED_WORKER = _bool("EMBEDDED_WORKER", True)

    # Notification URLs may point at loopback and private-network addresses (an endpoint inside the operator's
    # own network). Off: a merchant's URL reaches public addresses only.
    NOTIFY_ALLOW_PRIVATE = _bool("NOTIFY_ALLOW_PRIVATE", False)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", APP_URL.startswith("https://"))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None
    # Failed attempts allowed before the next one answers 429 (`app/web/limits.py`); each window must run out.
    LOGIN_LIMITS_PER_ACCOUNT = os.environ.get(
        "LOGIN_LIMITS_PER_ACCOUNT", "5 per minute; 20 per hour; 100 per day"
    )
    LOGIN_LIMITS_PER_ADDRESS = os.environ.get("LOGIN_LIMITS_PER_ADDRESS", "20 per minute; 200 per hour")
    SIGNUP_LIMITS_PER_ADDRESS = os.environ.get("SIGNUP_LIMITS_PER_ADDRESS", "5 per minute; 20 per hour")
    # How many proxies in front of the app append the client's address to X-Forwarded-For (1 on Heroku).
    FORWARDED_FOR_PROXIES = int(os.environ.get("FORWARDED_FOR_PROXIES", "0"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(5 * 1024 * 1024)))
    # Meta documents webhook payloads of at most 3 MB: a larger POST is refused (413) before it is read.
    META_WEBHOOK_MAX_CONTENT_LENGTH = int(
        os.environ.get("META_WEBHOOK_MAX_CONTENT_LENGTH", str(3 * 1024 * 1024))
    )


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    REDIS_URL = os.environ.get("TEST_REDIS_URL") or None
    EMBEDDED_WORKER = False
    DEMO_MODE = False
    APP_URL = "http://app.test"
    SHOPIFY_API_KEY = "test-api-key"
    SHOPIFY_API_SECRET = "test-api-secret"
    SHOPIFY_API_BASE = "https://{shop}"
    META_APP_SECRET = "test-meta-secret"
    META_VERIFY_TOKEN = "test-verify-token"
    META_GRAPH_BASE = "https://graph.facebook.com"
    OPENAI_API_KEY = None
    SESSION_COOKIE_SECURE = False
