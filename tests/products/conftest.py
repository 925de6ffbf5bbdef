"""Products page tests: the logged-in client also sends the CSRF header htmx sends. Row factories come from
tests/factories.py."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def auth_client(auth_client):
    """The logged-in client sending the CSRF token as htmx does (`X-CSRFToken`, from the page's meta tag)."""
    html = auth_client.get("/login").get_data(as_text=True)
    if 'name="csrf-token"' not in html:
        html = auth_client.get("/products").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
    auth_client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return auth_client
