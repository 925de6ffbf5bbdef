"""The catalog search as a list filter: products matching the merchant's words, as a WHERE criterion that
keeps a list on its own sort index (the Products page and `GET /api/products`, through `app.catalog.listing`).

Same terms, match strings and indexes as the ranked search (`app.catalog.terms`, migration 0002), read for a
list: every word as a prefix over title, vendor, type and tags (no plural stemming), or one word as a SKU
prefix. Nothing is ranked: the list's sort decides the order. Must not read the request.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, false, func, literal, literal_column, or_, select, text, union

from app.catalog.search import similar_words
from app.catalog.terms import fts5_query, sku_prefix, terms, tsquery
from app.extensions import db
from app.models import Product, ProductVariant

# A one-word search matching at least this many products filters rows along the sort index (`_matches_many`).
COMMON_MATCHES = 1000


def text_criterion(workspace_id: int, q: str, *, index_order: bool = True):
    """Products matching `q` as typed; when none do, products matching the catalog search's corrections of
    its misspelt words (`app.catalog.search.similar_words`: "tshrit" finds "T-Shirt"), the agent's typo
    tolerance read as a filter. The choice depends on the catalog alone, so every page of a list agrees."""
    criterion = typed_criterion(workspace_id, q, index_order=index_order)
    if not terms(q) or db.session.scalar(
        select(exists().where(Product.workspace_id == workspace_id, criterion))
    ):
        return criterion
    groups = similar_words(workspace_id, q)
    if not groups:
        return criterion
    if db.session.get_bind().dialect.name == "postgresql":
        corrected = " & ".join("(" + " | ".join(f"'{w}':*" for w in group) + ")" for group in groups)
        return literal_column("product.search_tsv").op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("list_tsq_similar", corrected))
        )
    match = " AND ".join("(" + " OR ".join(f'"{w}"*' for w in group) + ")" for group in groups)
    return Product.id.in_(
        select(literal_column("rowid"))
        .select_from(text("product_search_fts"))
        .where(text("product_search_fts MATCH :list_fts_similar").bindparams(list_fts_similar=match))
    )


def typed_criterion(workspace_id: int, q: str, *, index_order: bool = True):
    """Products matching `q` by title, vendor, type, tag (word prefixes) or SKU prefix, as a WHERE criterion.

    The GIN-indexed `search_tsv` and the `lower(sku)` prefix index on Postgres, the FTS5 table on SQLite.
    Each branch is an index lookup feeding `id IN (...)`, so the outer query keeps walking its sort index;
    several words (no SKU branch) filter the product rows directly, and so does one word matching many
    products when the list is read in the order of an index (`index_order`).
    """
    words = terms(q)
    if db.session.get_bind().dialect.name == "postgresql":
        branches = []
        raw = q.strip().lower()
        tsv_match = None
        if words:
            tsv_match = literal_column("product.search_tsv").op("@@")(
                func.to_tsquery(
                    literal_column("'simple'::regconfig"),
                    bindparam("list_tsq", tsquery(words, "&", stemmed=False)),
                )
            )
            if " " in raw:
                # Words only (no SKU branch): filter the listed rows themselves, no self-join through `id IN`.
                return tsv_match
            branches.append(select(Product.id).where(Product.workspace_id == workspace_id, tsv_match))
        if raw and " " not in raw:
            skus = select(ProductVariant.product_id).where(
                ProductVariant.workspace_id == workspace_id,
                func.lower(ProductVariant.sku).like(sku_prefix(raw), escape="\\"),
            )
            if index_order and tsv_match is not None and _matches_many(workspace_id, tsv_match):
                return or_(tsv_match, Product.id.in_(skus))
            branches.append(skus)
        if not branches:
            return false()
        ids = union(*branches) if len(branches) > 1 else branches[0]
        return Product.id.in_(select(ids.subquery().c[0]))
    if not words:
        return false()
    fts = (
        select(literal_column("rowid"))
        .select_from(text("product_search_fts"))
        .where(
            text("product_search_fts MATCH :list_fts").bindparams(
                list_fts=fts5_query(words, "AND", stemmed=False)
            )
        )
    )
    return Product.id.in_(fts)


def _matches_many(workspace_id: int, tsv_match) -> bool:
    """Whether at least COMMON_MATCHES products match: one capped count on the GIN index.

    Postgres estimates every one-word prefix at ~2 % of the rows, so it cannot tell a common word from a rare
    one. For a common word, filtering rows while walking the sort index finds a page after a few thousand
    rows (~1 ms at 100,000 products), where the `id IN (union)` form hash-joins every product and sorts all
    matches (~40 ms for 15,000). For a rare word the walk would read the whole index, and `id IN` is cheap.
    """
    capped = (
        select(literal(1))
        .select_from(Product)
        .where(Product.workspace_id == workspace_id, tsv_match)
        .limit(COMMON_MATCHES)
        .subquery()
    )
    return db.session.scalar(select(func.count()).select_from(capped)) >= COMMON_MATCHES
