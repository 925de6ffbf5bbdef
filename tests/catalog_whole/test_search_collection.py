"""`product_search` narrowed to a collection, named by its handle or its title (any case), on whichever
database the suite runs on (Postgres full text and trigrams, or SQLite FTS5): in every pass, with the other
filters, and never another workspace's collection of the same name."""

from __future__ import annotations

import pytest

import agent_tools
from agent_tools import ToolContext
from app.catalog.search import Filters, search
from app.models import Collection, CollectionProduct
from tests.catalog_whole import seed


@pytest.fixture
def whole(db, workspace):
    return seed.store(workspace)


def _search(workspace, **args) -> list[str]:
    base = {"query": "", "category": None, "collection": None, "price_min": None, "price_max": None,
            "in_stock_only": None, "limit": 10}  # fmt: skip
    answer = agent_tools.call("product_search", {**base, **args}, ToolContext(workspace.id))
    assert "error" not in answer, answer
    return sorted(card["title"] for card in answer["products"])


def test_the_tool_schema_offers_the_collection(app):
    tool = next(t for t in agent_tools.schemas() if t["function"]["name"] == "product_search")
    properties = tool["function"]["parameters"]["properties"]
    assert "collection" in properties and "handle or title" in str(properties["collection"])


@pytest.mark.parametrize("name", ["summer-sale", "Summer sale", "SUMMER SALE", "  summer-sale "])
def test_search_by_collection_handle_or_title(workspace, whole, name):
    assert _search(workspace, collection=name) == ["Canvas tote", "Linen shirt"]
    assert _search(workspace, query="linen", collection=name) == ["Linen shirt"]
    assert _search(workspace, query="coat", collection=name) == []  # a match outside the collection
    assert _search(workspace, query="lnen", collection=name) == ["Linen shirt"]  # the typo pass too


def test_collection_with_the_other_filters(workspace, whole):
    assert _search(workspace, collection="outerwear") == ["Wool coat"]
    # The coat's stock is at the showroom alone, which is not sold from: not in stock.
    assert _search(workspace, collection="outerwear", in_stock_only=True) == []
    assert _search(workspace, collection="summer-sale", in_stock_only=True, price_max=20) == [
        "Canvas tote", "Linen shirt"]  # fmt: skip
    assert _search(workspace, collection="no such collection") == []
    assert _search(workspace, collection="") == ["Canvas tote", "Linen shirt", "Wool coat"]


def test_another_workspaces_collection_of_the_same_name_finds_nothing_here(db, workspace, make_user, whole):
    stranger = make_user().workspace
    theirs = seed.store(stranger, "their-store.myshopify.com")
    assert _search(stranger, collection="outerwear") == ["Wool coat"]
    hits = search(workspace.id, "", Filters(collection="outerwear"))
    assert {h.product_id for h in hits} == {whole.products["coat"].id}
    # A collection of theirs holding one of our products (it cannot, but the filter must not care).
    db.session.add(Collection(workspace_id=stranger.id, title="Ours?", handle="ours", kind="custom",
                              shopify_collection_id="gid://shopify/Collection/x"))  # fmt: skip
    db.session.flush()
    collection = db.session.query(Collection).filter_by(handle="ours").one()
    db.session.add(
        CollectionProduct(collection_id=collection.id, product_id=whole.products["tote"].id, position=1)
    )
    db.session.commit()
    assert search(workspace.id, "", Filters(collection="ours")) == []
    assert theirs.products["tote"].id != whole.products["tote"].id


def test_a_bad_collection_argument_is_a_tool_error_not_a_crash(workspace, whole):
    answer = agent_tools.call(
        "product_search", {"query": "", "collection": "a\x00b"}, ToolContext(workspace.id)
    )
    assert "error" in answer
    answer = agent_tools.call("product_search", {"query": "", "collection": 5}, ToolContext(workspace.id))
    assert "error" in answer
