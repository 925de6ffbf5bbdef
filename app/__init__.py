"""WAgents Commerce: the application factory.

`create_app()` binds the extensions, registers the blueprints and CLI commands and, in the embedded default
(no REDIS_URL), starts a worker and scheduler thread so one process runs everything.
"""

from __future__ import annotations

import logging
import os

from flask import Flask, g, jsonify, request
from sqlalchemy import event, text

from app import access_log, body_limit, params, queues, security_headers
from app.config import BASE_DIR, Config
from app.extensions import csrf, db, login_manager, migrate

_RAW_BODY_BLUEPRINTS = ("webhooks", "demo_store", "demo_meta")


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No server-side prepared statements: a generic plan frozen while a new merchant's tables were empty
        # would keep scanning whole workspaces long after they have grown.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {"prepare_threshold": None, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        _tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see this page."
    queues.init_app(app)
    # The error answers and the login limits belong to the web edge: imported here, not at the top, so that
    # `import app.<room>` (which runs this module first) never loads the web package.
    from app import errors
    from app.web import limits

    errors.init_app(app)
    body_limit.init_app(app)
    access_log.init_app(app)
    security_headers.init_app(app)

    limits.init_app(app)

    @app.before_request
    def _fresh_identity():
        # Who is asking is decided anew for every request. In production each request has its own app
        # context anyway; this also holds when one app context serves several requests (tests, CLI).
        for key in ("_login_user", "workspace_id", "api_token_id", "display_zone"):
            g.pop(key, None)

    @app.before_request
    def _storable_parameters():
        # Every query argument and form field must be text the database can store (no NUL bytes, no control
        # characters), whichever view reads it. Signed bodies (webhooks, the demo store's API) are read raw.
        if request.blueprint not in _RAW_BODY_BLUEPRINTS:
            params.check_request(request)

    # Ids in URLs fit the INTEGER primary keys: a larger number is a 400 naming the parameter instead of
    # overflowing the database; the rule class tells each converter its variable's name.
    app.url_rule_class = params.NamedRule
    app.url_map.converters["int"] = params.DatabaseInt
    _register_blueprints(app)
    if app.config.get("DEMO_MODE"):
        _mount_demo_store(app)
        _mount_demo_phone(app)
    _register_cli(app)

    # Browsers and bookmark tools ask for /favicon.ico whatever the page links: the same icon, never a 404.
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))

    @app.get("/healthz")
    def healthz():
        checks = {}
        try:
            db.session.execute(text("select 1"))
            checks["database"] = "ok"
        except Exception as exc:  # report, don't crash: this page exists for operators
            checks["database"] = f"error: {type(exc).__name__}"
        try:
            queues.get_redis().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        healthy = all(v == "ok" for v in checks.values())
        return jsonify({"status": "ok" if healthy else "degraded", **checks}), 200 if healthy else 503

    starter = None
    if (
        not app.config.get("REDIS_URL")
        and app.config.get("EMBEDDED_WORKER")
        and not app.config.get("TESTING")
    ):
        # Started by the first request (or `flask demo`), not at import, so CLI commands such as
        # `flask db upgrade` do not spin up a worker they would never use.
        from app.worker import start_embedded_once

        starter = lambda: start_embedded_once(app)  # noqa: E731
        app.before_request(starter)
    from app.webhooks import wsgi_intake

    # Shopify's webhook POSTs skip Flask's request machinery (sessions, login, CSRF, limits): see the module.
    wsgi_intake.mount(app, before=starter)
    return app


def _tune_sqlite(engine) -> None:
    """On SQLite: enforce foreign keys (cascades behave as on Postgres) and let the worker thread and
    web requests write without 'database is locked' errors."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@login_manager.user_loader
def _load_user(session_token: str):
    # The cookie holds a login session's token, not the user id: see app/services/sessions.py.
    from app.services import sessions

    return sessions.load_user(session_token)


@login_manager.unauthorized_handler
def _unauthorized():
    from flask import redirect, request, url_for

    if request.path.startswith("/api/"):
        return jsonify({"error": "Log in or send an API token."}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _register_blueprints(app: Flask) -> None:
    from app.api import bp as api_bp
    from app.api.well_known import bp as well_known_bp
    from app.web import NAV
    from app.web.auth import bp as auth_bp
    from app.web.conversations import bp as conversations_bp
    from app.web.dashboard import bp as dashboard_bp
    from app.web.demo_phone import bp as demo_phone_bp
    from app.web.integrations import bp as integrations_bp
    from app.web.logs import bp as logs_bp
    from app.web.messaging import bp as messaging_bp
    from app.web.orders import bp as orders_bp
    from app.web.products import bp as products_bp
    from app.web.settings import bp as settings_bp
    from app.web.sync import bp as sync_bp
    from app.webhooks.routes import bp as webhooks_bp

    csrf.exempt(api_bp)  # bearer tokens, no cookies: CSRF cannot ride on them
    csrf.exempt(webhooks_bp)  # signed by the platforms over the raw body; no cookies involved
    for blueprint in (auth_bp, dashboard_bp, integrations_bp, sync_bp, products_bp, orders_bp, logs_bp,
                      conversations_bp, messaging_bp, demo_phone_bp, settings_bp, api_bp, webhooks_bp,
                      well_known_bp):  # fmt: skip
        app.register_blueprint(blueprint)

    from app.web import formats

    formats.init_app(app)

    @app.context_processor
    def navigation():
        items = [(e, label) for e, label in NAV if e in app.view_functions]
        if not _demo_phone_shown(app):
            items = [(e, label) for e, label in items if e != "demo_phone.index"]
        return {"nav_items": items}


def _demo_phone_shown(app: Flask) -> bool:
    """The Demo phone is in the menu only when the workspace's WhatsApp is the demo's stand-in number."""
    phone = app.extensions.get("demo_phone")
    if phone is None:
        return False
    from flask_login import current_user

    from app.models.scoping import WorkspaceScope
    from app.services.demo_phone import stand_in_integration

    if not getattr(current_user, "is_authenticated", False):
        return False
    return stand_in_integration(WorkspaceScope(current_user.workspace_id), phone) is not None


def _mount_demo_store(app: Flask) -> None:
    """Serve the local stand-in Shopify store at /demo-store and point the Shopify client at it."""
    from app.demo_store import DemoStore, create_blueprint

    cfg = app.config
    if not cfg["SHOPIFY_API_KEY"]:
        cfg["SHOPIFY_API_KEY"] = "demo-api-key"
    if not cfg["SHOPIFY_API_SECRET"]:
        cfg["SHOPIFY_API_SECRET"] = "demo-api-secret"
    cfg["SHOPIFY_API_BASE"] = cfg["APP_URL"] + "/demo-store/{shop}"
    path = cfg.get("DEMO_STORE_DB") or os.path.join(app.instance_path, "demo-store.sqlite3")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    store = DemoStore(
        path, api_key=cfg["SHOPIFY_API_KEY"], api_secret=cfg["SHOPIFY_API_SECRET"], public_url=cfg["APP_URL"]
    )
    app.extensions["demo_store"] = store
    blueprint = create_blueprint(store)
    csrf.exempt(blueprint)  # Shopify's endpoints take tokens, not browser sessions
    app.register_blueprint(blueprint)


def _mount_demo_phone(app: Flask) -> None:
    """Serve the stand-in WhatsApp Cloud API at /demo-meta and point the Meta clients at it."""
    from app.demo_phone import DemoPhone, create_graph_blueprint

    cfg = app.config
    if not cfg["META_APP_SECRET"]:
        cfg["META_APP_SECRET"] = "demo-meta-app-secret"
    cfg["META_GRAPH_BASE"] = cfg["APP_URL"] + "/demo-meta"
    path = cfg.get("DEMO_PHONE_DB") or os.path.join(app.instance_path, "demo-phone.sqlite3")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    phone = DemoPhone(
        path, app_secret=cfg["META_APP_SECRET"], webhook_url=cfg["APP_URL"] + "/api/webhooks/whatsapp"
    )
    app.extensions["demo_phone"] = phone
    blueprint = create_graph_blueprint(phone)
    csrf.exempt(blueprint)  # Meta's endpoints take bearer tokens, not browser sessions
    app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
