"""The Products pages: list and fragments, create, inline edit, delete, detail, isolation, query count."""

from __future__ import annotations

import re

from sqlalchemy import event

from app.extensions import db as _db
from app.models import Product, SyncLog

HX = {"HX-Request": "true"}


def test_list_page_renders_full_page_and_htmx_fragment(auth_client, workspace, make_product):
    make_product(workspace, "Linen Shirt", platform_sync={"shopify": {"synced": True, "last_sync_at":
                 "2026-01-02T03:04:05+00:00"}, "facebook": {"status": "error", "error": "Bad image"}})  # fmt: skip
    page = auth_client.get("/products")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Products</h1>" in html and "Linen Shirt" in html
    assert 'hx-trigger="keyup changed delay:300ms, search"' in html
    assert 'Shopify synced <time datetime="2026-01-02T03:04:05+00:00">2026-01-02 03:04 UTC</time>' in html
    assert "Facebook error" in html
    assert 'aria-label="Select Linen Shirt"' in html
    fragment = auth_client.get("/products?q=linen", headers=HX).get_data(as_text=True)
    assert (
        fragment.lstrip().startswith('<div id="product-table"')
        and "Linen Shirt" in fragment
        and "<h1>" not in fragment
    )


def test_bad_filter_answers_400_with_the_message(auth_client):
    response = auth_client.get("/products?sort=colour")
    assert response.status_code == 400 and "sort:" in response.get_data(as_text=True)


def test_pages_need_login(client):
    assert client.get("/products").status_code == 302


def test_next_page_link_works_without_javascript(auth_client, workspace, make_product):
    for i in range(3):
        make_product(workspace, f"P{i}")
    html = auth_client.get("/products?limit=2").get_data(as_text=True)
    assert 'rel="next"' in html
    next_href = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "cursor=" in next_href
    second = auth_client.get(next_href).get_data(as_text=True)
    assert "P0" in second and "P2" not in second


def test_create_product_from_the_form(auth_client, workspace):
    response = auth_client.post("/products", data={"title": "Clay Mug", "price": "12.50", "sku": "MUG-1",
                                                   "inventory_quantity": "4", "status": "active", "tags": "a, b"})  # fmt: skip
    assert response.status_code == 302
    product = _db.session.query(Product).one()
    assert (product.title, str(product.price_min), product.variants[0].sku) == ("Clay Mug", "12.50", "MUG-1")
    assert product.workspace_id == workspace.id and product.handle == "clay-mug"


def test_create_with_bad_input_answers_422_with_field_errors(auth_client):
    response = auth_client.post("/products", data={"title": "", "price": "-3"}, headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="create-form"' in html and "Required." in html and "Must be zero or more" in html
    assert _db.session.query(Product).count() == 0


def test_inline_edit_round_trip(auth_client, workspace, make_product):
    product = make_product(workspace, "Old title", price="5.00")
    edit = auth_client.get(f"/products/{product.id}/edit", headers=HX)
    assert edit.status_code == 200 and 'hx-put="/products/' in edit.get_data(as_text=True)
    saved = auth_client.put(f"/products/{product.id}", data={"title": "New title", "status": "draft",
                                                             "price": "7.25", "tags": "x"}, headers=HX)  # fmt: skip
    assert saved.status_code == 200
    html = saved.get_data(as_text=True)
    assert (
        html.lstrip().startswith(f'<tr id="product-{product.id}"') and "New title" in html and "7.25" in html
    )
    _db.session.refresh(product)
    assert (product.title, product.status, str(product.price_min)) == ("New title", "draft", "7.25")


def test_inline_edit_with_bad_input_answers_422_and_keeps_values(auth_client, workspace, make_product):
    product = make_product(workspace, "Keep me")
    response = auth_client.put(f"/products/{product.id}", data={"title": "", "status": "sold"}, headers=HX)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="editing"' in html and "Required." in html and "Must be one of" in html
    _db.session.refresh(product)
    assert product.title == "Keep me"


def test_edit_without_javascript_uses_the_detail_form(auth_client, workspace, make_product):
    product = make_product(workspace, "Plain")
    assert auth_client.get(f"/products/{product.id}/edit").status_code == 302
    response = auth_client.post(f"/products/{product.id}", data={"title": "Plainer"})
    assert response.status_code == 302
    _db.session.refresh(product)
    assert product.title == "Plainer"


def test_delete_is_soft_and_hides_the_product(auth_client, workspace, make_product):
    product = make_product(workspace, "Doomed")
    assert auth_client.delete(f"/products/{product.id}", headers=HX).status_code == 200
    _db.session.refresh(product)
    assert product.deleted_at is not None
    assert "Doomed" not in auth_client.get("/products").get_data(as_text=True)
    assert auth_client.get(f"/products/{product.id}").status_code == 404
    other = make_product(workspace, "Doomed too")
    assert auth_client.post(f"/products/{other.id}/delete").status_code == 302
    _db.session.refresh(other)
    assert other.deleted_at is not None


def test_detail_shows_variants_stock_reservations_and_sync_history(
    auth_client, workspace, make_product, reserve
):
    product = make_product(workspace, "Boots", quantity=6, variants=2)
    reserve(product.variants[0], 2)
    _db.session.add(SyncLog(workspace_id=workspace.id, entity_type="product", entity_id=str(product.id),
                            action="update", status="success"))  # fmt: skip
    _db.session.add(SyncLog(workspace_id=workspace.id, entity_type="inventory",
                            entity_id=str(product.variants[0].id), action="update", status="error",
                            error_message="Shopify said no"))  # fmt: skip
    _db.session.commit()
    html = auth_client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "Variants and stock" in html and "V0" in html and "V1" in html
    assert "<strong>4</strong>" in html and "<strong>6</strong>" in html  # available after the hold
    assert "Reservations" in html and "active" in html
    # Entries name what they touched: the product, and the variant with its product.
    assert "Shopify said no" in html and f"product {product.id}" not in html
    assert "Boots · V0" in html


def test_another_workspaces_product_is_404_everywhere(auth_client, other_workspace, make_product):
    product = make_product(other_workspace, "Secret")
    for method, url in [("get", f"/products/{product.id}"), ("get", f"/products/{product.id}/edit"),
                        ("get", f"/products/{product.id}/row"), ("put", f"/products/{product.id}"),
                        ("delete", f"/products/{product.id}"), ("post", f"/products/{product.id}/delete")]:  # fmt: skip
        assert getattr(auth_client, method)(url, headers=HX).status_code == 404, url
    assert "Secret" not in auth_client.get("/products").get_data(as_text=True)


def count_queries(fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(_db.engine, "before_cursor_execute", before)
    return len(statements)


def test_query_count_does_not_grow_with_page_size(
    auth_client, workspace, make_product, make_category, reserve
):
    shoes = make_category(workspace, "Shoes")
    for i in range(60):
        product = make_product(
            workspace, f"Product {i}", category=shoes if i % 2 else None, variants=1 + i % 3
        )
        if i % 5 == 0:
            reserve(product.variants[0], 1)

    def page(limit):
        def fetch():
            _db.session.remove()  # every request starts cold, as in production (no identity-map leftovers)
            response = auth_client.get(f"/products?limit={limit}")
            assert response.status_code == 200
            assert response.get_data(as_text=True).count('<tr id="product-') == limit

        return fetch

    small, large = count_queries(page(10)), count_queries(page(50))
    assert small == large, (small, large)
    assert large <= 10


def _rows(html: str) -> dict[str, str]:
    html = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', html)
    return {pid: row for row, pid in re.findall(r'(<tr id="product-(\d+)">.*?</tr>)', html, re.S)}


def test_list_rows_match_the_row_fragment_rendered_from_the_full_product(
    auth_client, workspace, make_product, make_category, reserve
):
    # The list reads SKUs, stock and category names in bulk; a single row reads them from the product itself.
    shoes = make_category(workspace, "Shoes")
    several = make_product(
        workspace, "Several", variants=3, category=shoes, shopify_id="gid://shopify/Product/1"
    )
    several.variants[0].sku = ""
    _db.session.commit()
    reserve(several.variants[1], 2)
    held = make_product(workspace, "Held", quantity=1, platform_sync={"facebook": {"status": "pending"}})
    reserve(held.variants[0], 3)
    bare = make_product(workspace, "Bare", variants=0)
    listed = _rows(auth_client.get("/products").get_data(as_text=True))
    assert set(listed) == {str(p.id) for p in (several, held, bare)}
    for product in (several, held, bare):
        _db.session.remove()
        row = _rows(auth_client.get(f"/products/{product.id}/row", headers=HX).get_data(as_text=True))
        assert row[str(product.id)] == listed[str(product.id)]
    assert "SKU-" in listed[str(several.id)] and "+2" in listed[str(several.id)]
    assert "Shoes" in listed[str(several.id)] and "(2 held)" in listed[str(several.id)]
    assert "(3 held)" in listed[str(held.id)] and ">—</td>" in listed[str(bare.id)]
