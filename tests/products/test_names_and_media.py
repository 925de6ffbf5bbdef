"""Products show what they are: their first image in the list, their description (sanitised) and media on
their page, and Shopify's numeric id as a link to the admin instead of a `gid://` id."""

from __future__ import annotations

from app.extensions import db as _db
from app.models import Integration, ProductMedia

HOSTILE = (
    "<p>Soft <strong>cotton</strong> tee.</p><script>alert(1)</script>"
    '<img src="https://cdn.example.com/tee.jpg" onerror="alert(2)">'
    '<a href="javascript:alert(3)">click</a><ul><li>Machine wash</li></ul>'
    '<iframe src="https://evil.example"></iframe><p style="color:red" onclick="x()">Fits true</p>'
)


def _shopify_product(workspace, make_product, **kw):
    store = Integration(workspace_id=workspace.id, platform="shopify", account_id="acme.myshopify.com",
                        status="connected")  # fmt: skip
    _db.session.add(store)
    _db.session.commit()
    product = make_product(workspace, "Cotton Tee", shopify_id="gid://shopify/Product/7890123", **kw)
    product.integration_id = store.id
    product.description_html = HOSTILE
    for position, url in ((2, "https://cdn.example.com/back.jpg"), (1, "https://cdn.example.com/front.jpg")):
        _db.session.add(ProductMedia(workspace_id=workspace.id, product_id=product.id, position=position, url=url,
                                     alt=f"Tee {position}", media_type="IMAGE"))  # fmt: skip
    _db.session.commit()
    return product


def test_detail_shows_the_description_sanitised_and_no_gid(auth_client, workspace, make_product):
    product = _shopify_product(workspace, make_product)
    html = auth_client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "<p>Soft <strong>cotton</strong> tee.</p>" in html and "<li>Machine wash</li>" in html
    assert "<script>alert(1)" not in html and "onerror" not in html and "javascript:alert" not in html
    assert "<iframe" not in html and 'onclick="x()"' not in html and "Fits true" in html
    assert "gid://" not in html
    assert 'href="https://acme.myshopify.com/admin/products/7890123"' in html and "#7890123" in html
    assert 'src="https://cdn.example.com/front.jpg"' in html


def test_products_list_shows_each_products_first_image(auth_client, workspace, make_product):
    product = _shopify_product(workspace, make_product)
    make_product(workspace, "No Picture")
    html = auth_client.get("/products").get_data(as_text=True)
    row = html.split(f'id="product-{product.id}"')[1].split("</tr>")[0]
    assert 'src="https://cdn.example.com/front.jpg"' in row and 'alt="Tee 1"' in row
    assert "back.jpg" not in html
    # The single row an inline edit swaps in keeps the image.
    fragment = auth_client.get(f"/products/{product.id}/row").get_data(as_text=True)
    assert 'src="https://cdn.example.com/front.jpg"' in fragment


def test_unsafe_image_urls_never_become_images(auth_client, workspace, make_product):
    product = make_product(workspace, "Sneaky")
    plain = make_product(workspace, "Plain http")
    own = make_product(workspace, "Demo store image")
    for row, url in (
        (product, "javascript:alert(1)"),
        (plain, "http://cdn.example.com/a.jpg"),
        (own, "http://app.test/demo-store/shop/cdn/1.png"),
    ):
        _db.session.add(ProductMedia(workspace_id=workspace.id, product_id=row.id, position=1, url=url, alt="x",
                                     media_type="IMAGE"))  # fmt: skip
    _db.session.commit()
    html = auth_client.get("/products").get_data(as_text=True)
    assert "javascript:alert" not in html
    # The page's Content-Security-Policy loads https images and its own: a plain-http one is left out.
    assert (
        "http://cdn.example.com/a.jpg" not in html
        and 'src="http://app.test/demo-store/shop/cdn/1.png"' in html
    )
