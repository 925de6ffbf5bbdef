"""product_search: ranked full-text search with typo tolerance and filters, on Postgres and on SQLite FTS5."""

from datetime import timedelta

import pytest
from sqlalchemy import event, text

import agent_tools
from agent_tools import search
from app import inventory
from app.extensions import db
from app.models.types import utcnow


@pytest.fixture
def catalog(workspace, other_workspace, make_product):
    p = {}
    p["trail"] = make_product(
        workspace, "Trail Running Shoe", vendor="Salomon", product_type="Shoes", tags="running, outdoor",
        category="Shoes", variants=[
            {"sku": "TRS-42", "price": "89.00", "qty": 3, "title": "42", "options": {"Size": "42"}},
            {"sku": "TRS-43", "price": "89.00", "qty": 0, "title": "43", "options": {"Size": "43"}},
        ],
    )  # fmt: skip
    p["socks"] = make_product(workspace, "Running Socks", product_type="Accessories", tags="running",
                              variants=[{"sku": "SOCK-1", "price": "9.00", "qty": 10}])  # fmt: skip
    p["boot"] = make_product(workspace, "Leather Boot", vendor="Dr Martens", product_type="Shoes", tags="winter",
                             category="Shoes", variants=[{"sku": "LB-1", "price": "150.00", "qty": 2}])  # fmt: skip
    p["sneaker"] = make_product(workspace, "Canvas Sneaker", product_type="Shoes", tags="casual", category="Shoes",
                                variants=[{"sku": "CS-1", "price": "45.00", "qty": 0}])  # fmt: skip
    p["polish"] = make_product(workspace, "Shoe Polish", product_type="Accessories", tags="shoe care",
                               variants=[{"sku": "SP-1", "price": "5.00", "qty": 20}])  # fmt: skip
    p["draft"] = make_product(workspace, "Running Shoe Prototype", status="draft")
    p["gone"] = make_product(workspace, "Running Shoe Discontinued", deleted_at=utcnow())
    p["foreign"] = make_product(
        other_workspace, "Trail Running Shoe Pro", variants=[{"price": "99", "qty": 50}]
    )
    return p


def titles(ctx, **args):
    args = {"query": "", "category": None, "price_min": None, "price_max": None, "in_stock_only": None,
            "limit": None, **args}  # fmt: skip
    result = agent_tools.call("product_search", args, ctx)
    assert "error" not in result, result
    return [p["title"] for p in result["products"]]


def test_best_match_first_and_never_another_workspace(ctx, catalog):
    found = titles(ctx, query="trail running shoe")
    assert found[0] == "Trail Running Shoe"
    assert "Trail Running Shoe Pro" not in titles(ctx, query="trail running shoe pro", limit=20)
    assert not {"Running Shoe Prototype", "Running Shoe Discontinued"} & set(
        titles(ctx, query="running", limit=20)
    )


def test_title_matches_rank_above_type_and_tag_matches(ctx, catalog):
    found = titles(ctx, query="shoe", limit=10)
    assert set(found[:2]) == {"Trail Running Shoe", "Shoe Polish"}
    assert {"Leather Boot", "Canvas Sneaker"} <= set(found[2:])
    assert titles(ctx, query="winter") == ["Leather Boot"]
    assert titles(ctx, query="salomon") == ["Trail Running Shoe"]


def test_all_terms_rank_above_any_term(ctx, catalog):
    found = titles(ctx, query="running socks outdoor", limit=10)
    assert found[0] in ("Running Socks", "Trail Running Shoe")
    assert {"Running Socks", "Trail Running Shoe"} <= set(found)


def test_prefix_plural_and_typo_matches(ctx, catalog):
    assert titles(ctx, query="snea")[0] == "Canvas Sneaker"
    assert titles(ctx, query="sneakers")[0] == "Canvas Sneaker"
    result = agent_tools.call("product_search", {"query": "sneakr", "category": None, "price_min": None,
                                                 "price_max": None, "in_stock_only": None, "limit": 3}, ctx)  # fmt: skip
    assert result["products"][0]["title"] == "Canvas Sneaker"
    assert result["products"][0]["matched_by"] == "similar"
    assert titles(ctx, query="xqzw") == []


def test_sku_finds_its_product(ctx, catalog):
    assert titles(ctx, query="TRS-42")[0] == "Trail Running Shoe"
    assert titles(ctx, query="sock-1")[0] == "Running Socks"


def test_filters_category_price_and_limit(ctx, catalog):
    assert set(titles(ctx, query="", category="shoes", limit=10)) == {"Trail Running Shoe", "Leather Boot",
                                                                       "Canvas Sneaker"}  # fmt: skip
    assert set(titles(ctx, query="", category="Accessories", limit=10)) == {"Running Socks", "Shoe Polish"}
    assert set(titles(ctx, query="", price_max=50, limit=10)) == {
        "Running Socks",
        "Canvas Sneaker",
        "Shoe Polish",
    }
    assert set(titles(ctx, query="", price_min=80, price_max=100, limit=10)) == {"Trail Running Shoe"}
    assert len(titles(ctx, query="", limit=2)) == 2
    assert set(titles(ctx, query="shoe", category="shoes", price_max=100, limit=10)) == {
        "Trail Running Shoe", "Canvas Sneaker"}  # fmt: skip


def test_in_stock_only_counts_reservations(ctx, catalog, workspace):
    assert "Canvas Sneaker" not in titles(ctx, query="", in_stock_only=True, limit=10)
    assert "Leather Boot" in titles(ctx, query="boot", in_stock_only=True)
    inventory.reserve(workspace.id, catalog["boot"].variants[0].id, 2)
    assert titles(ctx, query="boot", in_stock_only=True) == []
    assert titles(ctx, query="boot") == ["Leather Boot"]


def test_result_card_carries_what_the_agent_sells_with(ctx, catalog, workspace):
    inventory.reserve(workspace.id, catalog["trail"].variants[0].id, 1)
    result = agent_tools.call("product_search", {"query": "trail", "category": None, "price_min": None,
                                                 "price_max": None, "in_stock_only": True, "limit": 1}, ctx)  # fmt: skip
    card = result["products"][0]
    v42 = catalog["trail"].variants[0]
    assert card["product_id"] == catalog["trail"].id and card["handle"] == "trail-running-shoe"
    assert (card["price_min"], card["price_max"], card["currency"]) == ("89.00", "89.00", "EUR")
    assert card["available"] == 2 and card["in_stock"] is True
    assert card["options"] == {"Size": ["42", "43"]}
    assert card["image_url"].startswith("https://cdn.example.com/")
    assert card["retailer_id"] == f"variant-{v42.shopify_variant_id.rsplit('/', 1)[-1]}"
    assert card["variants"][0] == {
        "variant_id": v42.id, "title": "42", "sku": "TRS-42", "price": "89.00", "options": {"Size": "42"},
        "available": 2, "retailer_id": card["retailer_id"],
    }  # fmt: skip


def test_index_follows_title_sku_and_deletion_changes(ctx, catalog, db):
    boot = catalog["boot"]
    boot.title = "Chelsea Ankle Boot"
    db.session.commit()
    assert titles(ctx, query="chelsea") == ["Chelsea Ankle Boot"]
    assert titles(ctx, query="leather") == []
    boot.variants[0].sku = "CHELSEA-9"
    db.session.commit()
    assert titles(ctx, query="CHELSEA-9") == ["Chelsea Ankle Boot"]
    db.session.delete(boot)
    db.session.commit()
    assert titles(ctx, query="chelsea") == []


def _captured_search(workspace_id, query, filters=search.Filters()):
    statements = []
    engine = db.engine

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        hits = search.search(workspace_id, query, filters)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return hits, [s for s in statements if "FROM product" in s[0]]


def _plan(statement, parameters) -> str:
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # the plan must not need a scan at all
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    else:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(r[-1]) for r in rows)


def _filler(workspace_id: int, n: int = 10_000) -> None:
    """Postgres: enough unrelated rows and fresh statistics for the planner to weigh the indexes as at scale
    (on a few rows any plan is cheap and a sequential scan wins)."""
    if db.engine.dialect.name != "postgresql":
        return
    db.session.execute(
        text(
            "INSERT INTO product (workspace_id, title, status, images, platform_sync, created_at, updated_at) "
            "SELECT :ws, 'Filler item ' || g, 'active', '[]', '{}', now(), now() FROM generate_series(1, :n) g"
        ),
        {"ws": workspace_id, "n": n},
    )
    db.session.commit()
    db.session.execute(text("ANALYZE product"))
    db.session.commit()


def test_search_uses_the_full_text_and_trigram_indexes_never_like(workspace, catalog):
    _filler(workspace.id)
    hits, statements = _captured_search(workspace.id, "running")
    assert hits and statements
    assert not any("LIKE" in s.upper() and "product_variant" not in s for s, _ in statements)
    full_text = next(s for s in statements if "search_tsv" in s[0] or "product_search_fts" in s[0])
    plan = _plan(*full_text)
    if db.engine.dialect.name == "postgresql":
        assert "ix_product_search_tsv" in plan, plan
    else:
        assert "VIRTUAL TABLE INDEX" in plan and "product_search_fts" in plan
    hits, statements = _captured_search(workspace.id, "sneakr")
    assert hits[0].matched_by == "similar"
    plan = _plan(*statements[-1])
    if db.engine.dialect.name == "postgresql":
        assert "ix_product_search_tsv" in plan
    else:
        assert "product_search_trgm" in plan and "VIRTUAL TABLE INDEX" in plan


def test_expired_reservations_do_not_hide_stock(ctx, catalog, workspace):
    reservation = inventory.reserve(workspace.id, catalog["boot"].variants[0].id, 2, ttl=timedelta(seconds=1))
    reservation.expires_at = utcnow() - timedelta(seconds=5)
    db.session.commit()
    assert titles(ctx, query="boot", in_stock_only=True) == ["Leather Boot"]
