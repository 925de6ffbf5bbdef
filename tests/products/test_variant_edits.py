"""The product page edits each variant's price, compare-at price and SKU, a page of variants at a time, for
products with many variants; bad values answer 422 next to their input and save nothing."""

from __future__ import annotations

from decimal import Decimal

from app.extensions import db as _db
from app.models import Product, ProductVariant


def _variants(product_id):
    _db.session.expire_all()
    return sorted(_db.session.get(Product, product_id).variants, key=lambda v: v.position)


def test_long_product_pages_its_variant_inputs_with_totals(auth_client, workspace, make_product):
    product = make_product(workspace, "Many sizes", variants=150)
    html = auth_client.get(f"/products/{product.id}?variants_page=2").get_data(as_text=True)
    variants = _variants(product.id)
    assert html.count('-price" size=') == 50  # the second page: variants 101-150
    assert (
        f'name="variant-{variants[100].id}-price"' in html
        and f'name="variant-{variants[0].id}-price"' not in html
    )
    assert "150 variants in all" in html and "Save variants 101–150" in html


def test_variant_on_a_later_page_is_saved_and_the_price_range_follows(auth_client, workspace, make_product):
    product = make_product(workspace, "Many sizes", variants=150)
    target = _variants(product.id)[120]
    response = auth_client.post(f"/products/{product.id}/variants?variants_page=2", data={
        f"variant-{target.id}-price": "42.50", f"variant-{target.id}-compare_at_price": "50",
        f"variant-{target.id}-sku": "BIG-121",
    })  # fmt: skip
    assert response.status_code == 302 and "variants_page=2" in response.headers["Location"]
    saved = _db.session.get(ProductVariant, target.id)
    assert (saved.price, saved.compare_at_price, saved.sku) == (Decimal("42.50"), Decimal("50.00"), "BIG-121")
    assert _db.session.get(Product, product.id).price_max == Decimal("42.50")
    assert "Saved 1 variant." in auth_client.get(response.headers["Location"]).get_data(as_text=True)


def test_bad_variant_values_answer_422_and_save_nothing(auth_client, workspace, make_product):
    product = make_product(workspace, "Two sizes", variants=2)
    first, second = _variants(product.id)
    response = auth_client.post(f"/products/{product.id}/variants", data={
        f"variant-{first.id}-price": "12.345", f"variant-{second.id}-price": "15.00",
    })  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "at most two decimals" in html and 'value="12.345"' in html
    assert [v.price for v in _variants(product.id)] == [Decimal("10.00"), Decimal("10.00")]
