"""The product list query: filters, sorting, keyset pages and search, on SQLite and Postgres."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models.scoping import WorkspaceScope
from app.models.types import utcnow
from app.services import products as service


def _titles(workspace, **args):
    params = service.parse_params({k: str(v) for k, v in args.items()})
    return [p.title for p in service.list_products(WorkspaceScope(workspace.id), params).products]


def test_filters_by_status_category_platform_and_stock(workspace, make_product, make_category, reserve):
    shoes = make_category(workspace, "Shoes")
    make_product(workspace, "Active shoe", category=shoes, platform_sync={"shopify": {"synced": True}})
    make_product(workspace, "Draft hat", status="draft", platform_sync={"facebook": {"status": "pushed"}})
    make_product(
        workspace, "Empty mug", quantity=0, platform_sync={"facebook": {"status": "error", "error": "x"}}
    )
    held = make_product(
        workspace, "Held scarf", quantity=2, platform_sync={"facebook": {"status": "pending"}}
    )
    reserve(held.variants[0], 2)

    assert _titles(workspace, status="draft") == ["Draft hat"]
    assert _titles(workspace, category=shoes.id) == ["Active shoe"]
    assert _titles(workspace, platform="shopify_synced") == ["Active shoe"]
    assert set(_titles(workspace, platform="shopify_not_synced")) == {"Draft hat", "Empty mug", "Held scarf"}
    assert _titles(workspace, platform="facebook_pushed") == ["Draft hat"]
    assert _titles(workspace, platform="facebook_pending") == ["Held scarf"]
    assert _titles(workspace, platform="facebook_error") == ["Empty mug"]
    assert _titles(workspace, platform="facebook_none") == ["Active shoe"]
    # Held stock counts as gone: available = on hand - active reservations.
    assert set(_titles(workspace, stock="in")) == {"Active shoe", "Draft hat"}
    assert set(_titles(workspace, stock="out")) == {"Empty mug", "Held scarf"}


def test_expired_reservations_do_not_hold_stock(workspace, make_product, reserve):
    product = make_product(workspace, "Lamp", quantity=1)
    reserve(product.variants[0], 1, minutes=-5)
    assert _titles(workspace, stock="in") == ["Lamp"]


def test_sorting_by_title_price_updated_and_stock(workspace, make_product):
    now = utcnow()
    make_product(workspace, "Banana", price="3.00", quantity=1, updated_at=now - timedelta(days=2))
    make_product(workspace, "apple", price="9.50", quantity=7, updated_at=now - timedelta(days=1))
    make_product(workspace, "Cherry", price="1.25", quantity=0, updated_at=now)

    assert _titles(workspace) == ["Cherry", "apple", "Banana"]  # default: recently updated first
    assert _titles(workspace, sort="updated") == ["Banana", "apple", "Cherry"]
    assert _titles(workspace, sort="price") == ["Cherry", "Banana", "apple"]
    assert _titles(workspace, sort="-price") == ["apple", "Banana", "Cherry"]
    assert _titles(workspace, sort="-stock") == ["apple", "Banana", "Cherry"]
    assert _titles(workspace, sort="title")[0] == "Banana"  # byte order on both backends: capitals first
    assert _titles(workspace, sort="-title")[0] == "apple"


@pytest.mark.parametrize(
    "sort", ["-updated", "updated", "title", "-title", "price", "-price", "stock", "-stock"]
)
def test_keyset_pages_cover_every_product_once(workspace, make_product, sort):
    now = utcnow()
    for i in range(23):
        # Ties on purpose (same price / same timestamp / same stock) so the id tie-breaker matters.
        make_product(workspace, f"Item {i % 5}", price=f"{i % 3}.00", quantity=i % 4,
                     updated_at=now - timedelta(minutes=i // 2))  # fmt: skip
    scope, seen, cursor = WorkspaceScope(workspace.id), [], ""
    for _ in range(10):
        params = service.parse_params({"sort": sort, "limit": "5", "cursor": cursor})
        page = service.list_products(scope, params)
        seen += [p.id for p in page.products]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 23 and len(set(seen)) == 23


def test_search_by_title_vendor_tag_and_sku(workspace, make_product):
    make_product(workspace, "Linen Summer Shirt", vendor="Acme", tags="summer, linen", sku="LIN-001")
    make_product(workspace, "Wool Winter Coat", vendor="Northwind", tags="winter, wool", sku="WOO-777")
    make_product(workspace, "Canvas Tote", vendor="Acme Bags", tags="bags", sku="TOT-5")

    assert _titles(workspace, q="shirt") == ["Linen Summer Shirt"]
    assert _titles(workspace, q="sum") == ["Linen Summer Shirt"]  # word prefix while typing
    assert set(_titles(workspace, q="acme")) == {"Linen Summer Shirt", "Canvas Tote"}
    assert _titles(workspace, q="northwind") == ["Wool Winter Coat"]
    assert _titles(workspace, q="bags") == ["Canvas Tote"]  # tag (and vendor)
    assert _titles(workspace, q="wool coat") == ["Wool Winter Coat"]
    assert _titles(workspace, q="WOO-777") == ["Wool Winter Coat"]
    assert _titles(workspace, q="LIN-0") == ["Linen Summer Shirt"]
    assert _titles(workspace, q="nothing-like-this") == []
    assert _titles(workspace, q='"%_*') == []  # search syntax in user text is just text


def test_search_combines_with_filters_and_ignores_deleted_and_other_workspaces(
    workspace, other_workspace, make_product
):
    make_product(workspace, "Red Shoe", status="draft")
    make_product(workspace, "Red Hat")
    gone = make_product(workspace, "Red Scarf")
    service.delete_product(gone)
    make_product(other_workspace, "Red Boot")
    assert set(_titles(workspace, q="red")) == {"Red Shoe", "Red Hat"}
    assert _titles(workspace, q="red", status="draft") == ["Red Shoe"]


@pytest.mark.parametrize(
    "args, field",
    [({"status": "gone"}, "status"), ({"sort": "colour"}, "sort"), ({"limit": "0"}, "limit"),
     ({"cursor": "garbage!"}, "cursor"), ({"platform": "x"}, "platform"), ({"stock": "maybe"}, "stock"),
     ({"category": "abc"}, "category"), ({"sort": "title", "cursor": "WyJ1cGRhdGVkIiwiMjAyNiIsMV0"}, "cursor")],
)  # fmt: skip
def test_bad_list_parameters_name_the_field(args, field):
    with pytest.raises(service.ListError) as info:
        service.parse_params(args)
    assert field in info.value.fields


@pytest.mark.parametrize("sort", ["-updated", "title", "-price", "-stock"])
def test_one_word_search_lists_the_same_whether_the_word_is_common_or_rare(
    workspace, make_product, monkeypatch, sort
):
    from app.catalog import matches

    for i in range(12):
        make_product(workspace, f"Linen Shirt {i}" if i % 3 else f"Wool Coat {i}", sku=f"LINEN-{i}" if i == 3 else None,
                     price=str(10 + i % 4), updated_at=utcnow() - timedelta(minutes=i % 5))  # fmt: skip

    def pages():
        seen, cursor = [], ""
        while True:
            args = {"q": "linen", "sort": sort, "limit": "3", **({"cursor": cursor} if cursor else {})}
            page = service.list_products(WorkspaceScope(workspace.id), service.parse_params(args))
            seen += [p.title for p in page.products]
            if not (cursor := page.next_cursor):
                return seen

    monkeypatch.setattr(matches, "COMMON_MATCHES", 10**9)  # every word is rare: `id IN (union)`
    rare = pages()
    monkeypatch.setattr(matches, "COMMON_MATCHES", 1)  # every word is common: filter along the index
    assert pages() == rare and len(rare) == 9 and "Wool Coat 3" in rare  # the SKU branch still counts
