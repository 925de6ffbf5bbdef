"""Error pages in the app's own layout (404, 405, 500), JSON errors on /api and the webhook paths, and the
favicon served (no 404 on any page's icon)."""

from __future__ import annotations

import re

STOCK_404 = "If you entered the URL manually please check your spelling and try again."


def _layout(html: str) -> bool:
    return '<header class="top">' in html and 'rel="icon"' in html


def test_unknown_page_is_the_apps_own_404_page(auth_client):
    response = auth_client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert _layout(html) and 'aria-label="Main"' in html  # the menu is there to go on from
    assert "<h1>Page not found</h1>" in html and "<title>Page not found · WAgents Commerce</title>" in html
    assert STOCK_404 not in html
    assert 'href="/"' in html


def test_unknown_page_logged_out_offers_the_login(client):
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "<h1>Page not found</h1>" in html and 'href="/login"' in html


def test_a_routes_own_not_found_sentence_is_kept(auth_client):
    response = auth_client.get("/orders/999999")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "<h1>Page not found</h1>" in html and "Order not found." in html


def test_wrong_method_is_a_405_page_in_the_layout(auth_client):
    response = auth_client.delete("/orders/")
    html = response.get_data(as_text=True)
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert _layout(html) and "<h1>Not available here</h1>" in html
    assert "The method is not allowed for the requested URL." not in html


def test_unexpected_error_is_a_500_page_in_the_layout(app, auth_client, monkeypatch):
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "orders.index", boom)
    response = auth_client.get("/orders/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and _layout(html)
    assert "<h1>Something went wrong</h1>" in html and "boom" not in html


def test_api_and_webhook_paths_keep_json_errors(client, auth_client):
    for path in ("/api/no-such-thing", "/api/webhooks/no-such-platform"):
        response = client.get(path)
        assert response.status_code == 404 and response.is_json and "error" in response.get_json(), path
    response = client.get("/api/webhooks/shopify")
    assert response.status_code == 405 and response.is_json and response.get_json()["error"]
    response = client.put("/api/webhooks/whatsapp")
    assert response.status_code == 405 and response.is_json


def test_favicon_is_served_and_linked_from_every_page(client, auth_client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    for path in ("/", "/orders/", "/logs/", "/no-such-page"):
        html = auth_client.get(path).get_data(as_text=True)
        href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
        assert client.get(href).status_code == 200, path
    href = re.search(r'<link rel="icon" href="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.get(href).status_code == 200
