"""One htmx rule for every page: the fragment for an htmx swap, the whole page otherwise (a plain load, a boosted
link, htmx restoring history), and `Vary` on those headers wherever the answer depends on them, so a cache
keyed on the URL alone never hands a pushed-URL fragment to a page load."""

from __future__ import annotations

import pytest

HTMX = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def _vary(response) -> set[str]:
    return {value.strip().lower() for value in response.headers.get("Vary", "").split(",") if value.strip()}


def _is_full_page(response) -> bool:
    return "<!doctype html>" in response.get_data(as_text=True).lower()


@pytest.fixture
def pages(workspace, factory):
    shop = factory.integration(workspace)
    run = factory.sync_run(workspace, shop)
    order = factory.order(workspace)
    return ["/products", "/orders/", "/conversations/", "/logs/", "/logs/entries", "/logs/webhooks",
            "/logs/compliance", f"/orders/{order.id}", f"/sync/runs/{run.id}/progress"]  # fmt: skip


def test_every_page_and_its_fragment_vary_on_the_htmx_headers(auth_client, pages):
    for url in pages:
        page, fragment = auth_client.get(url), auth_client.get(url, headers=HTMX)
        assert page.status_code == fragment.status_code == 200, url
        assert _is_full_page(page) and not _is_full_page(fragment), url
        for response in (page, fragment):
            assert {"hx-request", "hx-history-restore-request"} <= _vary(response), (url, _vary(response))


def test_a_page_load_after_an_htmx_load_of_the_same_url_is_the_whole_page(auth_client, pages):
    for url in pages:
        fragment = auth_client.get(url, headers=HTMX)
        assert not _is_full_page(fragment), url
        page = auth_client.get(url)
        assert _is_full_page(page), url
        assert '<nav aria-label="Main">' in page.get_data(as_text=True), url


def test_history_restore_and_boosted_loads_get_the_whole_page(auth_client, pages):
    for url in pages:
        assert _is_full_page(auth_client.get(url, headers=HISTORY_RESTORE)), url
        assert _is_full_page(auth_client.get(url, headers={**HTMX, "HX-Boosted": "true"})), url


def test_error_pages_and_their_fragments_vary_too(auth_client):
    page = auth_client.get("/orders/2147483647")
    fragment = auth_client.get("/orders/2147483647", headers=HTMX)
    assert page.status_code == fragment.status_code == 404
    assert _is_full_page(page) and not _is_full_page(fragment)
    assert "hx-request" in _vary(page) and "hx-request" in _vary(fragment)


def test_answers_that_do_not_depend_on_htmx_do_not_vary_on_it(auth_client, api_client, workspace, factory):
    variant = factory.variant(workspace)
    assert "hx-request" not in _vary(auth_client.get(f"/products/{variant.product_id}/row"))
    assert "hx-request" not in _vary(api_client.get("/api/me"))
