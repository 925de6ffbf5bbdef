"""What the merchant sees of a whole catalog, without a browser: the Products filters by location and by
collection (page, htmx fragment and API through one implementation, keyset paging kept), the product page's
media and stock per location, and the "Sell from" block of the Shopify card (htmx and plain form)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from app.models import Location, SyncLog
from tests.catalog_whole import seed
from tests.web.conftest import csrf_token


@pytest.fixture
def whole(db, workspace):
    return seed.store(workspace)


def _titles(page_html: str) -> set[str]:
    return set(re.findall(r'class="product-title">([^<]+)<', page_html))


def test_products_filter_by_location_and_by_collection_on_the_page_the_fragment_and_the_api(
    auth_client, api_client, whole
):
    warehouse, showroom = whole.locations["warehouse"].id, whole.locations["showroom"].id
    summer, outer = whole.collections["summer"].id, whole.collections["outer"].id
    cases = {
        f"location={warehouse}": {"Linen shirt", "Canvas tote"},
        f"location={showroom}": {"Linen shirt", "Wool coat"},  # stocked there, though not sold from
        f"collection={summer}": {"Linen shirt", "Canvas tote"},
        f"collection={outer}": {"Wool coat"},
        f"collection={summer}&location={showroom}": {"Linen shirt"},
    }
    for query, expected in cases.items():
        page = auth_client.get(f"/products?{query}")
        assert page.status_code == 200 and _titles(page.get_data(as_text=True)) == expected, query
        fragment = auth_client.get(f"/products?{query}", headers={"HX-Request": "true"}).get_data(
            as_text=True
        )
        assert "<html" not in fragment and _titles(fragment) == expected, query
        api = {p["title"] for p in api_client.get(f"/api/products?{query}").get_json()["products"]}
        assert api == expected, query
    page = auth_client.get("/products").get_data(as_text=True)
    assert "Summer sale" in page and "Outerwear (smart)" in page and "Showroom (not sold from)" in page
    chosen = auth_client.get(f"/products?location={warehouse}").get_data(as_text=True)
    assert f'<option value="{warehouse}" selected>' in chosen


def test_the_filters_keep_keyset_paging(auth_client, api_client, whole):
    warehouse = whole.locations["warehouse"].id
    seen, url = [], f"/products?location={warehouse}&limit=1&sort=title"
    while url:
        page = auth_client.get(url).get_data(as_text=True)
        seen += sorted(_titles(page))
        found = re.search(r'href="([^"]+)" rel="next"', page)
        url = html_lib.unescape(found.group(1)) if found else None
        assert url is None or f"location={warehouse}" in url
    assert seen == ["Canvas tote", "Linen shirt"]
    first = api_client.get(f"/api/products?location={warehouse}&limit=1&sort=title").get_json()
    second = api_client.get(
        f"/api/products?location={warehouse}&limit=1&sort=title&cursor={first['next_cursor']}"
    )
    assert [p["title"] for p in first["products"] + second.get_json()["products"]] == seen


@pytest.mark.parametrize(
    "query", ["location=abc", "location=-1", "location=99999999999", "collection=1.5", "location=%00"]
)
def test_a_bad_filter_value_is_a_400_never_a_500(auth_client, api_client, whole, query):
    assert auth_client.get(f"/products?{query}").status_code == 400
    assert auth_client.get(f"/products?{query}", headers={"HX-Request": "true"}).status_code == 400
    answer = api_client.get(f"/api/products?{query}")
    assert answer.status_code == 400 and answer.get_json()["parameter"] in ("location", "collection")


def test_the_product_page_shows_media_in_order_variant_images_and_stock_per_location(auth_client, whole):
    shirt = whole.products["shirt"]
    page = auth_client.get(f"/products/{shirt.id}").get_data(as_text=True)
    media = re.search(r'<ol class="media-list">(.*?)</ol>', page, re.S).group(1)
    sources = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', media)
    assert [src for src, _ in sources] == [m.url for m in shirt.media]  # Shopify's order
    assert [alt for _, alt in sources] == [m.alt or "" for m in shirt.media]
    assert media.count("no alt text") == sum(1 for m in shirt.media if not m.alt)
    # The first variant's own image, with its media item's alt text.
    variant_row = re.search(rf'<tr data-variant="{shirt.variants[0].id}">(.*?)</tr>', page, re.S).group(1)
    assert f'src="{shirt.media[1].url}" alt="{shirt.media[1].alt}"' in variant_row
    # Per location: which count, and on hand / committed / available over the product's variants.
    table = re.search(r'aria-label="Stock by location">(.*?)</table>', page, re.S).group(1)
    rows = dict(re.findall(r'<tr data-location="(\d+)">(.*?)</tr>', table, re.S))
    warehouse, showroom = str(whole.locations["warehouse"].id), str(whole.locations["showroom"].id)
    assert "sold from" in rows[warehouse] and "not sold from" in rows[showroom]
    assert re.findall(r'class="num">(?:<strong>)?(\d+)', rows[warehouse]) == ["5", "1", "4"]
    assert re.findall(r'class="num">(?:<strong>)?(\d+)', rows[showroom]) == ["4", "1", "3"]
    cell = re.search(
        rf'data-location="{warehouse}">([^<]*)<span class="muted small">([^<]*)</span>', variant_row
    )
    assert cell.group(1).strip() == "4" and cell.group(2).split() == ["·", "5", "·", "1"]


def test_a_product_without_media_or_locations_still_renders(auth_client, db, workspace, make_product):
    product = make_product(workspace, "Plain mug")
    page = auth_client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "No media." in page and "No stock per location" in page


def test_an_unsafe_media_url_is_not_loaded(auth_client, db, whole):
    shirt = whole.products["shirt"]
    shirt.media[0].url = "javascript:alert(1)"
    db.session.commit()
    page = auth_client.get(f"/products/{shirt.id}").get_data(as_text=True)
    assert "javascript:" not in page


def test_the_shopify_card_lists_locations_and_saves_the_choice(db, auth_client, workspace, whole):
    card = auth_client.get("/integrations").get_data(as_text=True)
    block = re.search(r'<section class="locations".*?</section>', card, re.S).group(0)
    checked = dict(re.findall(r'value="(\d+)" (checked)?', block))
    ids = {k: str(v.id) for k, v in whole.locations.items()}
    assert checked == {ids["warehouse"]: "checked", ids["store"]: "checked", ids["showroom"]: ""}
    assert "no online orders" in block

    # htmx: the block comes back with the new choice; the warehouse and the showroom now.
    token = csrf_token(auth_client)
    target = f"/integrations/{whole.integration.id}/locations"
    answer = auth_client.post(target, data={"csrf_token": token, "sell_from": [ids["warehouse"], ids["showroom"]]},
                              headers={"HX-Request": "true"})  # fmt: skip
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in fragment and "2 locations changed" in fragment
    choices = {row.name: row.sell_from for row in db.session.scalars(select(Location)).all()}
    assert choices == {"Lisbon warehouse": None, "Porto store": False, "Showroom": True}
    assert db.session.query(SyncLog).filter(SyncLog.entity_type == "location").count() == 2

    # Without JavaScript: a plain post and a redirect to the page; unchecking all stops selling everything.
    plain = auth_client.post(target, data={"csrf_token": token})
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/integrations")
    db.session.expire_all()
    assert all(v.inventory_quantity == 0 for p in whole.products.values() for v in p.variants)
    own_page = auth_client.get(target).get_data(as_text=True)
    assert "Locations of whole-store.myshopify.com" in own_page
    assert not re.search(r'value="\d+" checked', own_page)


@pytest.mark.parametrize("value", ["abc", "0", "99999999999", "\x00"])
def test_a_bad_location_in_the_form_is_a_400_with_the_block(auth_client, whole, value):
    token = csrf_token(auth_client)
    target = f"/integrations/{whole.integration.id}/locations"
    answer = auth_client.post(
        target, data={"csrf_token": token, "sell_from": value}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 400
    if value != "\x00":  # a NUL byte is turned away before the route, on the error fragment
        assert 'class="locations"' in answer.get_data(as_text=True)


def test_another_stores_location_in_the_form_is_refused(db, auth_client, workspace, whole):
    other = seed.shop(workspace, "second-store.myshopify.com")
    foreign = Location(workspace_id=workspace.id, integration_id=other.id, name="Second",
                       shopify_location_id="gid://shopify/Location/9")  # fmt: skip
    db.session.add(foreign)
    db.session.commit()
    answer = auth_client.post(f"/integrations/{whole.integration.id}/locations",
                              data={"csrf_token": csrf_token(auth_client), "sell_from": str(foreign.id)})  # fmt: skip
    assert answer.status_code == 400 and "not one of this store" in answer.get_data(as_text=True)
    assert auth_client.get("/integrations/99999/locations").status_code == 404


def test_a_long_products_variants_are_paged_with_their_stock_per_location(auth_client, db, workspace, whole):
    many = seed.product(workspace, whole.integration, "Ribbon", variants=250)
    seed.levels(workspace, whole.integration, {v: {seed.WAREHOUSE: v.position} for v in many.variants})
    seen, url = [], f"/products/{many.id}"
    while url:
        page = auth_client.get(url).get_data(as_text=True)
        rows = re.findall(
            r'<tr data-variant="(\d+)">.*?<td>(Size \d+)</td>.*?data-location="\d+">(\d+) ', page, re.S
        )
        seen += [(int(vid), title, int(units)) for vid, title, units in rows]
        found = re.search(r'rel="next" href="([^"#]+)', page)
        url = html_lib.unescape(found.group(1)) if found else None
    assert seen == [(v.id, v.title, v.position) for v in many.variants]
    assert "250, 201–250 shown" in page and "Page 3 of 3" in page
    # Stock by location still counts every variant, not only the page shown.
    assert re.search(r"<strong>31375</strong>", page)
    assert "Page 3 of 3" in auth_client.get(f"/products/{many.id}?variants_page=99").get_data(as_text=True)
    for bad in ("0", "abc", "-1", "1.5"):
        assert auth_client.get(f"/products/{many.id}?variants_page={bad}").status_code == 400
