"""The feed's rules on made-up rows: stock net of reservations, the merchant's choices, the delta, the CSV
and gzip forms, and the 400s that name the bad parameter."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import timedelta

import pytest

from app.models import Collection, CollectionProduct, ProductMedia
from app.models.types import utcnow
from app.services import workspace_settings
from tests.feeds.conftest import flat_validator, problems, read_feed


@pytest.fixture
def shop(db, workspace, make_product):
    """Three products with an image each; `shop[title]` is the product."""

    def add(title, **kwargs):
        product = make_product(workspace, title, **kwargs)
        db.session.add(ProductMedia(workspace_id=workspace.id, product_id=product.id, position=1,
                                    url=f"https://cdn.example.com/{product.id}.jpg", alt="front"))  # fmt: skip
        db.session.commit()
        return product

    return {
        "Boot": add("Boot", variants=2, quantity=3, tags="winter, leather"),
        "Sandal": add("Sandal", quantity=4, tags="summer"),
        "Bell\x07 Tote": add("Bell\x07 Tote", quantity=0),
    }


def _settings(workspace_id, **changes):
    values = {"scope": "all", "collection_id": None, "excluded_tags": None, "target_countries": "US",
              "store_country": "US", "store_url": None, **changes}  # fmt: skip
    return workspace_settings.update_feed_settings(workspace_id, **values)


def test_availability_is_live_stock_net_of_reservations(db, shop, reserve, api_client):
    boot = shop["Boot"]
    first, second = boot.variants
    reserve(first, 3)  # every unit held
    reserve(second, 1)
    reserve(second, 2, status="released")  # gives nothing back twice
    rows = {r["item_id"]: r for r in read_feed(api_client)[0]}
    assert problems(flat_validator(), list(rows.values())) == []
    assert (rows[str(first.id)]["availability"], rows[str(first.id)]["inventory_quantity"]) == (
        "out_of_stock",
        0,
    )
    assert (rows[str(second.id)]["availability"], rows[str(second.id)]["inventory_quantity"]) == (
        "in_stock",
        2,
    )
    tote = next(r for r in rows.values() if r["group_id"] == str(shop["Bell\x07 Tote"].id))
    assert tote["title"] == "Bell Tote" and tote["availability"] == "out_of_stock"  # control character gone


def test_a_reservation_puts_its_product_in_the_delta(db, shop, reserve, api_client):
    _, first = read_feed(api_client)
    since = first.headers["X-Feed-Generated-At"]
    reserve(shop["Sandal"].variants[0], 4)
    rows, response = read_feed(api_client, f"?since={since}")
    assert response.headers["X-Feed-Mode"] == "delta"
    assert [(r["group_id"], r["availability"]) for r in rows] == [(str(shop["Sandal"].id), "out_of_stock")]


def test_merchant_choices_pick_products_and_markets(db, workspace, shop, api_client):
    ws = workspace.id
    collection = Collection(workspace_id=ws, shopify_collection_id="gid://shopify/Collection/1", title="Shoes",
                            kind="custom")  # fmt: skip
    db.session.add(collection)
    db.session.flush()
    for title in ("Boot", "Sandal"):
        db.session.add(CollectionProduct(collection_id=collection.id, product_id=shop[title].id, position=1))
    db.session.commit()
    collection_id, boot_id, sandal_id = collection.id, shop["Boot"].id, shop["Sandal"].id
    _, before = read_feed(api_client)
    _settings(ws, scope="collection", collection_id=collection_id, excluded_tags="Winter",
              target_countries="pt, ES", store_country="pt", store_url="https://shop.example.com/")  # fmt: skip
    rows, _ = read_feed(api_client)
    assert {r["group_id"] for r in rows} == {str(sandal_id)}  # the tote is not in it, the boot is tagged out
    (sandal,) = rows
    assert (sandal["target_countries"], sandal["store_country"]) == (["PT", "ES"], "PT")
    assert sandal["url"].startswith("https://shop.example.com/products/") and sandal["seller_url"] == (
        "https://shop.example.com"
    )
    # A delta asked from before the choices changed cannot say what they removed: it is a full snapshot.
    again, response = read_feed(api_client, f"?since={before.headers['X-Feed-Generated-At']}")
    assert response.headers["X-Feed-Mode"] == "full" and again == rows
    assert boot_id not in {int(r["group_id"]) for r in again}


def test_bad_feed_settings_are_refused_with_the_fields(workspace):
    with pytest.raises(workspace_settings.FeedSettingsInvalid) as caught:
        _settings(workspace.id, scope="collection", collection_id=999, target_countries="USA",
                  store_country="", store_url="ftp://x")  # fmt: skip
    assert set(caught.value.fields) == {"collection_id", "target_countries", "store_country", "store_url"}


def test_csv_and_gzip_forms_parse(db, shop, api_client):
    rows, _ = read_feed(api_client)
    response = api_client.get("/api/feeds/acp?format=csv", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(gzip.decompress(response.get_data()).decode())))
    assert [r["item_id"] for r in parsed] == [r["item_id"] for r in rows]
    assert {r["is_eligible_checkout"] for r in parsed} == {"false"}
    assert parsed[0]["price"] == rows[0]["price"] and parsed[0]["target_countries"] == "US"
    zipped, response = read_feed(api_client, "", **{"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip" and zipped == rows
    plain = api_client.get("/api/feeds/acp")
    assert "Content-Encoding" not in plain.headers and plain.headers["Vary"].startswith("Accept-Encoding")


@pytest.mark.parametrize(
    "query, parameter",
    [("format=xml", "format"), ("shape=tree", "shape"), ("since=yesterday", "since"),
     ("since=2026-13-01T00:00:00Z", "since"), ("shape=products&format=csv", "format")],
)  # fmt: skip
def test_bad_parameters_get_a_400_naming_them(api_client, query, parameter):
    response = api_client.get(f"/api/feeds/acp?{query}")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter and parameter in response.get_json()["error"]


def test_the_feed_needs_a_token_and_sees_one_workspace(
    client, shop, other_workspace, make_product, api_client
):
    assert client.get("/api/feeds/acp").status_code == 401
    make_product(other_workspace, "Not ours")
    rows, _ = read_feed(api_client)
    assert {r["item_group_title"] for r in rows} == {"Boot", "Sandal", "Bell Tote"}


def test_naive_since_is_read_as_utc(db, shop, api_client):
    later = (utcnow() + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    rows, response = read_feed(api_client, f"?since={later}")
    assert rows == [] and response.headers["X-Feed-Mode"] == "delta"


def test_the_openapi_document_describes_the_feed(client):
    operation = client.get("/api/openapi.json").get_json()["paths"]["/api/feeds/acp"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/x-ndjson", "text/csv"}
    assert {p["name"] for p in operation["parameters"]} == {"format", "shape", "since"}
