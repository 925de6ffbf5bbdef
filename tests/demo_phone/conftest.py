"""The demo phone in process: the stand-in Graph API behind `responses` at the app's META_GRAPH_BASE, and its
webhooks held until the test hands them to the app's WhatsApp webhook (`phone.flush()`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import responses

from app.demo_phone import DemoPhone, create_standalone_app
from tests.webhooks.conftest import post_shopify, shopify_integration  # noqa: F401  (fixtures)

GRAPH_BASE = "https://graph.facebook.com"
SECRET = "stand-in-app-secret"


class HeldPhone(DemoPhone):
    """Status webhooks wait for `flush()`; what the customer writes is delivered at once (its answer counts)."""

    def __init__(self, client, **kwargs):
        self.held: list[tuple[bytes, dict]] = []
        self.client = client
        super().__init__(app_secret=SECRET, webhook_url="http://app.test/api/webhooks/whatsapp",
                         deliver=self._deliver, **kwargs)  # fmt: skip

    def _deliver(self, _url, raw: bytes, headers: dict) -> int:
        if b'"statuses"' in raw:
            self.held.append((raw, headers))
            return 200
        return self.client.post("/api/webhooks/whatsapp", data=raw, headers=headers).status_code

    def flush(self) -> list[int]:
        """Deliver every held webhook to the app, in order; their HTTP statuses."""
        held, self.held = self.held, []
        return [
            self.client.post("/api/webhooks/whatsapp", data=raw, headers=h).status_code for raw, h in held
        ]


@pytest.fixture
def phone(app, client):
    phone = HeldPhone(client, delivered_after=0)
    stand_in = create_standalone_app(phone).test_client()

    def callback(request):
        url = urlsplit(request.url)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")}
        answer = stand_in.open("/demo-meta" + url.path, method=request.method, headers=headers,
                               data=body or b"", query_string=url.query)  # fmt: skip
        return answer.status_code, {"Content-Type": "application/json"}, answer.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST"):
            mock.add_callback(method, re.compile(re.escape(GRAPH_BASE) + r"/.*"), callback=callback)
        app.extensions["demo_phone"] = phone
        try:
            yield phone
        finally:
            app.extensions.pop("demo_phone", None)
