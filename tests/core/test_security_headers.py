"""Every answer carries the security headers: pages, the JSON API, webhook answers, static files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.security_headers import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _assert_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_pages_carry_the_security_headers(client, auth_client):
    for response in (client.get("/login"), auth_client.get("/"), auth_client.get("/products"),
                     auth_client.get("/settings/"), client.get("/products")):  # fmt: skip
        _assert_headers(response)


def test_json_answers_carry_nosniff(client, api_client):
    me = api_client.get("/api/me")
    assert me.status_code == 200 and me.is_json
    _assert_headers(me)
    refused = client.get("/api/me")
    assert refused.status_code == 401 and refused.is_json
    _assert_headers(refused)
    webhook = client.post("/api/webhooks/shopify", data=b"{}", headers={"Content-Type": "application/json"})
    assert webhook.status_code == 401 and webhook.is_json
    _assert_headers(webhook)
    handshake = client.get("/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1")
    assert handshake.status_code == 403
    _assert_headers(handshake)
    _assert_headers(client.get("/healthz"))
    _assert_headers(client.get("/static/app.css"))


@pytest.mark.parametrize(
    "path", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_templates_hold_no_inline_script_style_or_handler(path):
    html = (TEMPLATES / path).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html), "inline <style>"
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\shx-on", html), "hx-on runs inline script"
    assert "javascript:" not in html
