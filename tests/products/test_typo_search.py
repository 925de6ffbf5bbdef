"""The Products page's search is the catalog search: the typo tolerance the agent's product_search has holds
for the dashboard list too, with its filters and keyset pages, on SQLite and Postgres."""

from __future__ import annotations

from app.catalog import search
from app.models.scoping import WorkspaceScope
from app.services import products as service


def _titles(workspace, **args):
    params = service.parse_params({k: str(v) for k, v in args.items()})
    return [p.title for p in service.list_products(WorkspaceScope(workspace.id), params).products]


def _catalog(workspace, make_product):
    make_product(workspace, "T-Shirt", vendor="Acme")
    make_product(workspace, "Striped T-Shirt", vendor="Acme", status="draft")
    make_product(workspace, "Canvas Sneaker", vendor="Stride")
    make_product(workspace, "Leather Jacket", vendor="Stride")


def test_a_transposed_typo_finds_the_product_in_the_agent_search(workspace, make_product):
    _catalog(workspace, make_product)
    hits = search.search(workspace.id, "tshrit", search.Filters(limit=5))
    assert hits and hits[0].matched_by == "similar"
    names = {h.product_id for h in hits}
    listed = {
        p.id: p.title
        for p in service.list_products(WorkspaceScope(workspace.id), service.ListParams()).products
    }
    assert {listed[i] for i in names} == {"T-Shirt"}  # the agent sells active products only


def test_the_products_list_search_tolerates_the_same_typos(workspace, make_product):
    _catalog(workspace, make_product)
    assert set(_titles(workspace, q="tshrit")) == {"T-Shirt", "Striped T-Shirt"}
    assert _titles(workspace, q="sneakr") == ["Canvas Sneaker"]
    assert _titles(workspace, q="jakcet") == ["Leather Jacket"]
    # Filters still apply to the corrected search, and an exact match wins over corrections.
    assert _titles(workspace, q="tshrit", status="draft") == ["Striped T-Shirt"]
    assert _titles(workspace, q="shirt", sort="title") == ["Striped T-Shirt", "T-Shirt"]
    assert _titles(workspace, q="xqzwv") == []


def test_typo_search_pages_through_every_match(workspace, make_product):
    for i in range(7):
        make_product(workspace, f"T-Shirt {i}")
    make_product(workspace, "Mug")
    params = service.parse_params({"q": "tshrit", "limit": "3", "sort": "title"})
    seen = []
    while True:
        page = service.list_products(WorkspaceScope(workspace.id), params)
        seen += [p.title for p in page.products]
        if not page.next_cursor:
            break
        params = service.parse_params(
            {"q": "tshrit", "limit": "3", "sort": "title", "cursor": page.next_cursor}
        )
    assert seen == [f"T-Shirt {i}" for i in range(7)]


def test_products_page_finds_a_misspelt_product(auth_client, workspace, make_product):
    _catalog(workspace, make_product)
    html = auth_client.get("/products?q=tshrit").get_data(as_text=True)
    assert "T-Shirt" in html and "Canvas Sneaker" not in html
