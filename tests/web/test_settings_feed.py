"""The product feed settings form on the settings page: saved per workspace, refused with field errors."""

from __future__ import annotations

from app.extensions import db
from app.models import Collection, ProductFeedSettings

from .conftest import csrf_token


def _htmx(client):
    return {"HX-Request": "true", "X-CSRFToken": csrf_token(client)}


def test_feed_settings_are_saved_and_shown(auth_client, workspace):
    ws = workspace.id
    collection = Collection(workspace_id=ws, shopify_collection_id="gid://shopify/Collection/9", title="Été ☀️",
                            kind="smart")  # fmt: skip
    db.session.add(collection)
    db.session.commit()
    collection_id = collection.id
    html = auth_client.get("/settings/").get_data(as_text=True)
    assert "Product feed for AI shopping" in html and "Été ☀️" in html
    data = {"scope": "collection", "collection_id": str(collection_id), "excluded_tags": "Hidden, wholesale",
            "target_countries": "pt es", "store_country": "pt", "store_url": "https://shop.example.com"}  # fmt: skip
    response = auth_client.post("/settings/feed", data=data, headers=_htmx(auth_client))
    assert response.status_code == 200 and "Feed settings saved." in response.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(ProductFeedSettings, ws)
    assert (row.scope, row.collection_id, row.excluded_tags) == (
        "collection",
        collection_id,
        "hidden, wholesale",
    )
    assert (row.target_countries, row.store_country, row.store_url) == (
        "PT,ES",
        "PT",
        "https://shop.example.com",
    )


def test_bad_feed_settings_answer_422_with_the_field_errors(auth_client, workspace):
    data = {"scope": "collection", "collection_id": "", "target_countries": "Portugal", "store_country": "P"}
    response = auth_client.post("/settings/feed", data=data, headers=_htmx(auth_client))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert "Choose one of the shop&#39;s collections." in html and "two-letter country codes" in html
    assert db.session.get(ProductFeedSettings, workspace.id) is None
    page = auth_client.post("/settings/feed", data={**data, "csrf_token": csrf_token(auth_client)})
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
