"""Names of the product-search objects that live in the database but not in the models.

Migration 0002 adds them by hand: on Postgres a generated `search_tsv` column on `product` with its GIN index,
a trigram index on titles and a SKU prefix index; on SQLite two FTS5 tables (with their shadow tables) kept
in sync by triggers. The models do not declare them, so `migrations/env.py` and the models-vs-migrations test
skip them through `include_object` below, and only them: any other difference is still reported.
"""

from __future__ import annotations

SEARCH_PREFIXES = ("product_search_", "ix_product_search_")
SEARCH_COLUMNS = {("product", "search_tsv")}


def is_search_object(name: str | None, table: str | None = None) -> bool:
    if not name:
        return False
    return name.startswith(SEARCH_PREFIXES) or (table, name) in SEARCH_COLUMNS


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic hook: leave out search objects found in the database that no model declares."""
    if reflected and compare_to is None:
        table = getattr(getattr(obj, "table", None), "name", None)
        if is_search_object(name, table):
            return False
    return True
