"""In the demo, "Connect Shopify" with a store address installs through the demo store's own OAuth screen
(`/demo-store/<shop>/admin/oauth/authorize`), never myshopify.com, and ends connected with no network."""

from __future__ import annotations

from urllib.parse import urlparse

import responses
from sqlalchemy import select

from app.demo_store.testing import mount_on_responses
from app.extensions import db
from app.models import Integration
from app.services import accounts
from tests.conftest import log_in
from tests.integrations.conftest import csrf_token

SHOP = "brand-new-shop.myshopify.com"


def test_demo_connect_shopify_installs_through_the_local_demo_store(demo_app):
    with demo_app.app_context():
        user = accounts.create_user("new-merchant@example.com", "correct horse battery", "New Shop")
        client = demo_app.test_client()
        log_in(client, user)
        token = csrf_token(client)
        pressed = client.post(
            "/integrations/shopify/connect", data={"csrf_token": token, "shop_domain": SHOP}
        )
        assert pressed.status_code == 302
        authorize = urlparse(pressed.headers["Location"])
        assert (authorize.scheme, authorize.netloc) == ("http", "demo.test")
        assert authorize.path == f"/demo-store/{SHOP}/admin/oauth/authorize"

        # The consent screen is the demo store's own, served by the same app; it sends the merchant back.
        consent = client.get(f"{authorize.path}?{authorize.query}")
        assert consent.status_code == 302
        callback = urlparse(consent.headers["Location"])
        assert callback.path == "/integrations/shopify/callback"

        # The code exchange and the connect's Admin API calls go to the demo store (no server here: routed
        # in-process); anything else would be refused by `responses`.
        store = demo_app.extensions["demo_store"]
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            mount_on_responses(rsps, store, base="http://demo.test/demo-store/{shop}")
            done = client.get(f"{callback.path}?{callback.query}")
        assert done.status_code == 302
        row = db.session.scalars(select(Integration).where(Integration.account_id == SHOP)).one()
        assert (row.status, row.workspace_id, row.config["auth_method"]) == (
            "connected",
            user.workspace_id,
            "oauth",
        )
