"""Credentials in query strings never reach the request log: Werkzeug's server (demo mode, `flask run`) here,
gunicorn's access log in tests/core/test_gunicorn.py."""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from app.access_log import redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=v1&hub.challenge=c1 HTTP/1.1",
         "GET /api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=[redacted] HTTP/1.1"),
        ("code=a1&hmac=h1&shop=s.myshopify.com&state=n1&timestamp=1",
         "code=[redacted]&hmac=[redacted]&shop=s.myshopify.com&state=[redacted]&timestamp=1"),
        ("GET /x?Token=t1;signature=s1&access_token=a2&password=p1#f HTTP/1.1",
         "GET /x?Token=[redacted];signature=[redacted]&access_token=[redacted]&password=[redacted]#f HTTP/1.1"),
        ("GET /login?next=%2Fintegrations%2Fshopify%2Fcallback%3Fcode%3Da1%26hmac%3Dh1%26shop%3Ds HTTP/1.1",
         "GET /login?next=%2Fintegrations%2Fshopify%2Fcallback%3Fcode%3D[redacted]%26hmac%3D[redacted]%26shop%3Ds HTTP/1.1"),
        ("GET /x?hub%2Everify_token=v2 HTTP/1.1", "GET /x?hub%2Everify_token=[redacted] HTTP/1.1"),
        ("GET /products?q=code&estate=1&barcode=2&code= HTTP/1.1", "GET /products?q=code&estate=1&barcode=2&code= HTTP/1.1"),
    ],
)  # fmt: skip
def test_redact_hides_credential_values_only(line, expected):
    assert redact(line) == expected


def test_werkzeug_request_log_is_redacted(app, caplog):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            urllib.request.urlopen(
                f"{base}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=test-verify-token"
                "&hub.challenge=ch-4242", timeout=10,
            ).read()  # fmt: skip
            with pytest.raises(urllib.error.HTTPError):  # not logged in: a redirect to /login, not followed
                opener = urllib.request.build_opener(_NoRedirect)
                opener.open(
                    f"{base}/integrations/shopify/callback?code=oc-1&state=st-2&hmac=hm-3&shop=a", timeout=10
                )
    finally:
        server.shutdown()
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("hub.verify_token=[redacted]&hub.challenge=[redacted]" in line for line in lines), lines
    assert any("code=[redacted]&state=[redacted]&hmac=[redacted]&shop=a" in line for line in lines), lines
    assert not [
        line
        for line in lines
        if any(s in line for s in ("test-verify-token", "ch-4242", "oc-1", "st-2", "hm-3"))
    ]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
