"""The demo workspace for the README's first command: a login that works out of the box and the local demo
store connected as a Shopify integration, so the first page already shows a live catalog sync.
"""

from __future__ import annotations

import logging
import time

import requests

from app.integrations import service as integrations
from app.models import Integration
from app.models.scoping import WorkspaceScope
from app.services import accounts
from app.services.demo_phone import wire_demo
from app.sync.service import start_first_sync

log = logging.getLogger(__name__)

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_SHOP = "demo-store.myshopify.com"
DEMO_TOKEN = "shpat_demo_local_store_token"


def prepare_demo(app, *, host: str, port: int, products: int) -> str:
    """Create the demo login and seed the demo store (once); return what to tell the person."""
    user = accounts.find_user(DEMO_EMAIL) or accounts.create_user(DEMO_EMAIL, DEMO_PASSWORD, "Demo Shop")
    store = app.extensions["demo_store"]
    row = store.db.one("SELECT product_count FROM shops WHERE shop=?", (DEMO_SHOP,))
    if row is None or row["product_count"] != products:
        store.seed_shop(DEMO_SHOP, products=products)
    store.add_custom_token(DEMO_SHOP, DEMO_TOKEN)
    # The demo shop is on a Shopify Plus-sized budget (10,000 points, 1,000/s) so the first sync is quick;
    # `flask demo-store throttle` sets a Standard plan to watch the throttling at work.
    store.throttle.configure(DEMO_SHOP, maximum=10_000, rate=1_000)
    return "\n".join([
        f"WAgents Commerce demo on http://{host}:{port}/",
        f"  log in as {DEMO_EMAIL} / {DEMO_PASSWORD} (workspace {user.workspace.name!r})",
        f"  the demo store {DEMO_SHOP} ({products} products) connects itself and syncs in the background",
        "  a stand-in WhatsApp number connects itself too: Demo phone shows what the customer receives",
    ])  # fmt: skip


def connect_demo_store(app, base_url: str, timeout: float = 30.0) -> Integration | None:
    """Once the server answers, connect the demo store with its custom-app token (first sync included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(base_url + "/healthz", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.2)
    with app.app_context():
        user = accounts.find_user(DEMO_EMAIL)
        scope = WorkspaceScope(user.workspace_id)
        existing = integrations.find_by_account(scope, "shopify", DEMO_SHOP)
        if existing is not None and existing.status == "connected":
            return existing
        try:
            integration = integrations.connect_shopify_with_token(
                scope, {"shop_domain": DEMO_SHOP, "access_token": DEMO_TOKEN}, integration=existing
            )
        except integrations.IntegrationError as exc:
            log.error("could not connect the demo store: %s", exc.message)
            return None
        start_first_sync(integration)
        return integration


def connect_demo(app, base_url: str) -> None:
    """`flask demo`, once its server listens: the demo store, then the stand-in WhatsApp number (its templates
    sync on connect), both connected to the demo workspace over HTTP as a merchant would connect them."""
    connect_demo_store(app, base_url)
    wire_demo(app, DEMO_EMAIL)
