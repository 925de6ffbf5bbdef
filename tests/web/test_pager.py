"""Every list (products, orders, conversations, sync runs, sync log, webhooks, compliance) says how many rows it
holds and which page the reader is on, with the one pager of templates/_pager.html."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from sqlalchemy import insert

from app.extensions import db
from app.models import SyncLog

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _products(ws, factory, make_product, n):
    for i in range(n):
        make_product(ws, f"Shirt {i}")


def _orders(ws, factory, make_product, n):
    for _ in range(n):
        factory.order(ws)


def _conversations(ws, factory, make_product, n):
    for _ in range(n):
        factory.conversation(ws)


def _runs(ws, factory, make_product, n):
    shop = factory.integration(ws)
    for _ in range(n):
        factory.sync_run(ws, shop)


def _entries(ws, factory, make_product, n):
    for _ in range(n):
        factory.sync_log(ws)


def _webhooks(ws, factory, make_product, n):
    for _ in range(n):
        factory.webhook(ws)


def _compliance(ws, factory, make_product, n):
    for _ in range(n):
        factory.compliance(ws)


LISTS = [
    ("/products", "limit", "products", _products),
    ("/orders/", "per_page", "orders", _orders),
    ("/conversations/", "per_page", "conversations", _conversations),
    ("/logs/", "per_page", "sync runs", _runs),
    ("/logs/entries", "per_page", "entries", _entries),
    ("/logs/webhooks", "per_page", "deliveries", _webhooks),
    ("/logs/compliance", "per_page", "requests", _compliance),
]


def _status(html: str) -> str:
    found = re.search(r'<span class="pager-status"[^>]*>(.*?)</span>', html, re.S)
    assert found, "no pager status in the page"
    return " ".join(html_lib.unescape(found.group(1)).split())


def _next(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next"', html)
    return html_lib.unescape(found.group(1)) if found else None


@pytest.mark.parametrize(("path", "size", "noun", "seed"), LISTS, ids=[p for p, *_ in LISTS])
def test_every_list_shows_its_total_and_page_number(auth_client, workspace, factory, make_product, path, size,
                                                    noun, seed):  # fmt: skip
    seed(workspace, factory, make_product, 5)
    first = auth_client.get(f"{path}?{size}=2").get_data(as_text=True)
    assert _status(first) == f"1–2 of 5 {noun} · page 1 of 3"
    second = auth_client.get(_next(first)).get_data(as_text=True)
    assert _status(second) == f"3–4 of 5 {noun} · page 2 of 3"
    assert "First page" in second
    last = auth_client.get(_next(second)).get_data(as_text=True)
    assert _status(last) == f"5–5 of 5 {noun} · page 3 of 3"
    assert _next(last) is None


def test_an_empty_list_and_a_single_row_say_so(auth_client, workspace, factory):
    html = auth_client.get("/orders/").get_data(as_text=True)
    assert _status(html) == "0 orders"
    factory.order(workspace)
    html = auth_client.get("/orders/").get_data(as_text=True)
    assert _status(html) == "1–1 of 1 order · page 1 of 1"


def test_totals_have_thousands_separators(auth_client, workspace):
    rows = [{"workspace_id": workspace.id, "entity_type": "product", "entity_id": str(i), "action": "update",
             "status": "success"} for i in range(1234)]  # fmt: skip
    db.session.execute(insert(SyncLog), rows)
    db.session.commit()
    html = auth_client.get("/logs/entries").get_data(as_text=True)
    assert _status(html) == "1–50 of 1,234 entries · page 1 of 25"


def test_a_forged_page_number_is_clamped_not_an_error(auth_client, workspace, factory):
    for _ in range(3):
        factory.order(workspace)
    first = auth_client.get("/orders/?per_page=2").get_data(as_text=True)
    cursor = re.search(r"cursor=([\w-]+)", _next(first)).group(1)
    for forged in ("abc", "-4", "99999999999999999999", "0"):
        response = auth_client.get(f"/orders/?per_page=2&cursor={cursor}&page={forged}")
        assert response.status_code == 200, forged
        assert re.fullmatch(r"\d+–\d+ of 3 orders · page [12] of 2", _status(response.get_data(as_text=True)))


def test_the_htmx_fragment_carries_the_same_pager(auth_client, workspace, factory):
    for _ in range(3):
        factory.order(workspace)
    fragment = auth_client.get("/orders/?per_page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _status(fragment) == "1–2 of 3 orders · page 1 of 2"


def test_every_list_uses_the_one_pager_template():
    hand_made = [
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if p.name != "_pager.html" and 'aria-label="Product pages"' in p.read_text()
    ]
    users = {str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if "pager(" in p.read_text()}
    assert hand_made == []
    assert {"products/_table.html", "orders/_partial.html", "conversations/_partial.html", "logs/_runs.html",
            "logs/_entries.html", "logs/_webhooks.html", "logs/_compliance.html"} <= users  # fmt: skip
