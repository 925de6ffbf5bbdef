"""Product search backend: ranked full-text search with typo tolerance, on Postgres and on SQLite.

Postgres (migration 0002): a stored, weighted `search_tsv` column (title A, vendor + type B, tags C) behind a
GIN index; a SKU prefix index on variants; for typos, `product_search_words` (every word of the workspace's
catalog, kept by triggers) with a `pg_trgm` index: misspelt words are corrected to known words, then searched. SQLite: the FTS5 table `product_search_fts` (title, meta, tags, skus) ranked by bm25, and the trigram
FTS5 table `product_search_trgm` for typos; triggers keep both in sync with `product` and `product_variant`.

Passes, each indexed, each run only if the previous ones found fewer than `limit` products:
SKU prefix (Postgres; SQLite matches SKUs in FTS) -> all terms (exact, then prefix) -> any term (OR) ->
similar words (trigrams).
Filters (category, price range, in stock by *available* stock) apply inside every pass.
Returns product ids with scores; turning them into result cards is `agent_tools.catalog`'s job.
This module must not scan `product` with LIKE/ILIKE, and never reads another workspace's rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, column, exists, func, literal_column, or_, select, table, text
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Product, ProductCategory, ProductVariant, Reservation
from app.models.types import utcnow
from app.sync.mapping import slugify

MAX_TERMS = 8
TRIGRAM_THRESHOLD = 0.45  # SQLite: below this a "typo" match is mostly noise
TRIGRAM_CANDIDATES = 50
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock_only: bool = False
    limit: int = 10


@dataclass(frozen=True)
class Hit:
    product_id: int
    score: float
    matched_by: str  # sku, all_terms, any_term, similar, browse


def terms(query: str) -> list[str]:
    words = [w for w in _WORD.findall((query or "").lower()) if w.strip("_")]
    return words[:MAX_TERMS]


def _stem(term: str) -> str:
    # Prefix matching covers "shoe" -> "shoes"; cutting a plural "s" covers "shoes" -> "shoe" too.
    return term[:-1] if len(term) > 4 and term.endswith("s") and not term.endswith("ss") else term


def search(workspace_id: int, query: str, filters: Filters = Filters()) -> list[Hit]:
    limit = max(1, min(int(filters.limit), 50))
    words = terms(query)
    criteria = _filter_criteria(workspace_id, filters)
    if not words:
        stmt = select(Product.id).where(*criteria).order_by(Product.title, Product.id).limit(limit)
        return [Hit(pid, 0.0, "browse") for pid in db.session.scalars(stmt)]
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if not postgres:
        return _run(_sqlite_passes(words), criteria, limit)
    # psycopg prepares repeated statements, and a generic plan cannot see the tsquery; prefix queries are
    # estimated so loosely that "LIMIT n" looks cheaper as a sequential scan. Search must use its indexes:
    # say so for these statements only (transaction-local, switched back below).
    db.session.execute(text(_PG_SETTINGS), {"mode": "force_custom_plan", "seqscan": "off"})
    try:
        return _run(_postgres_passes(workspace_id, query, words), criteria, limit)
    finally:
        db.session.execute(text(_PG_SETTINGS), {"mode": "auto", "seqscan": "on"})


_PG_SETTINGS = (
    "SELECT set_config('plan_cache_mode', :mode, true), set_config('enable_seqscan', :seqscan, true)"
)


def _run(passes, criteria: list, limit: int) -> list[Hit]:
    hits: list[Hit] = []
    for matched_by, run in passes:
        found = {h.product_id for h in hits}
        extra = criteria + ([Product.id.not_in(found)] if found else [])
        hits.extend(Hit(pid, float(score or 0), matched_by) for pid, score in run(extra, limit - len(hits)))
        if len(hits) >= limit or (matched_by == "sku" and hits):
            break  # a SKU names its product: other words would only add noise
    return hits[:limit]


def _filter_criteria(workspace_id: int, f: Filters) -> list:
    criteria = [
        Product.workspace_id == workspace_id,
        Product.deleted_at.is_(None),
        Product.status == "active",
    ]
    if f.category and f.category.strip():
        name = f.category.strip().lower()
        categories = select(ProductCategory.id).where(
            ProductCategory.workspace_id == workspace_id,
            or_(func.lower(ProductCategory.name) == name, ProductCategory.slug == slugify(name)),
        )
        criteria.append(or_(Product.category_id.in_(categories), func.lower(Product.product_type) == name))
    if not f.in_stock_only:
        # The product's price range (kept by the sync) overlaps the wanted range: no variant lookups.
        if f.price_min is not None:
            criteria.append(Product.price_max >= f.price_min)
        if f.price_max is not None:
            criteria.append(Product.price_min <= f.price_max)
    else:
        # One variant must satisfy price and stock together: "in stock under 50" means the same variant.
        v = aliased(ProductVariant)
        conditions = [v.product_id == Product.id, v.inventory_quantity > 0]
        if f.price_min is not None:
            conditions.append(v.price >= f.price_min)
        if f.price_max is not None:
            conditions.append(v.price <= f.price_max)
        # Units held by active reservations are not for sale.
        held = (
            select(func.coalesce(func.sum(Reservation.quantity), 0))
            .where(
                Reservation.variant_id == v.id,
                Reservation.status == "active",
                Reservation.expires_at > utcnow(),
            )
            .scalar_subquery()
        )
        conditions.append(v.inventory_quantity > held)
        criteria.append(exists(select(v.id).where(*conditions)))
    return criteria


# --- Postgres -------------------------------------------------------------------------------------------

_TSV = literal_column("product.search_tsv")
_SIMPLE = literal_column("'simple'::regconfig")
# A common word can match thousands of products; ranking reads each one's vector. The best of the first
# CANDIDATES index matches is what we rank: for a one-word query they score alike anyway.
CANDIDATES = 1000
CORRECTIONS = 3  # known words tried per misspelt query word
WORD_SIMILARITY = 0.25  # transpositions ("jakcet") share few trigrams; the word table is small, so cast wide


def _tsquery(words: list[str], joiner: str, prefix: bool = True) -> str:
    return f" {joiner} ".join(f"'{_stem(w)}':*" if prefix else f"'{w}'" for w in words)


def _ranked(criteria, tsquery_text: str, base: float, n: int, name: str):
    tsq = func.to_tsquery(_SIMPLE, bindparam(name, tsquery_text))
    candidates = (
        select(Product.id.label("id"), _TSV.label("tsv"))
        .where(*criteria, _TSV.op("@@")(tsq))
        .limit(CANDIDATES)
        .subquery()
    )
    score = (func.ts_rank(candidates.c.tsv, tsq) + base).label("score")
    stmt = select(candidates.c.id, score).order_by(score.desc(), candidates.c.id).limit(n)
    return db.session.execute(stmt).all()


def _postgres_passes(workspace_id: int, query: str, words: list[str]):
    def sku(criteria, n):
        raw = query.strip().lower()
        if " " in raw or len(raw) < 3 or not any(ch.isdigit() for ch in raw):
            return []  # SKUs carry digits; plain words go to full text
        pattern = raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        ids = db.session.scalars(
            select(ProductVariant.product_id)
            .where(
                ProductVariant.workspace_id == workspace_id,
                func.lower(ProductVariant.sku).like(pattern, escape="\\"),
            )
            .limit(CANDIDATES)
        ).all()
        if not ids:
            return []
        stmt = select(Product.id, literal_column("100.0")).where(*criteria, Product.id.in_(set(ids)))
        return db.session.execute(stmt.order_by(Product.id).limit(n)).all()

    def fts(tsquery_text: str, base: float, name: str):
        return lambda criteria, n: _ranked(criteria, tsquery_text, base, n, name)

    def similar(criteria, n):
        db.session.execute(text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
                           {"t": str(WORD_SIMILARITY)})  # fmt: skip
        groups = []
        for word in [w for w in words if len(w) >= 3]:
            known = db.session.scalars(
                text(
                    "SELECT word FROM product_search_words WHERE workspace_id = :ws AND word % :w "
                    "ORDER BY similarity(word, :w) DESC, word LIMIT :k"
                ),
                {"ws": workspace_id, "w": word, "k": CORRECTIONS},
            ).all()
            known = [k for k in known if _WORD.fullmatch(k)]
            if known:
                groups.append("(" + " | ".join(f"'{k}'" for k in known) + ")")
        if not groups:
            return []
        return _ranked(criteria, " & ".join(groups), 0.0, n, "tsq_similar")

    passes = [
        ("sku", sku),
        ("all_terms", fts(_tsquery(words, "&", prefix=False), 20.0, "tsq_exact")),
        ("all_terms", fts(_tsquery(words, "&"), 10.0, "tsq_prefix")),
    ]
    wide = [w for w in words if len(w) >= 3]  # "a:*" would match half the catalog
    if len(words) > 1 and wide:
        passes.append(("any_term", fts(_tsquery(wide, "|"), 5.0, "tsq_any")))
    passes.append(("similar", similar))
    return passes


# --- SQLite (FTS5) --------------------------------------------------------------------------------------

# bm25 weights per column: workspace_id (unindexed), title, meta (vendor + type), tags, skus.
_BM25 = "bm25(product_search_fts, 0.0, 10.0, 4.0, 3.0, 8.0)"
_FTS = table("product_search_fts", column("rowid"))
_TRGM = table("product_search_trgm", column("rowid"))


def _fts5_query(words: list[str], joiner: str) -> str:
    # Every term quoted: FTS5 syntax characters in customer text can never break the query.
    return f" {joiner} ".join(f'"{_stem(w)}"*' for w in words)


def _sqlite_passes(words: list[str]):
    def fts(joiner: str, base: float, min_len: int = 1):
        def run(criteria, n):
            usable = [w for w in words if len(w) >= min_len]
            if not usable:
                return []
            score = literal_column(f"{base} - {_BM25}")
            stmt = (
                select(Product.id, score.label("score"))
                .select_from(_FTS)
                .join(Product, Product.id == _FTS.c.rowid)
                .where(
                    text("product_search_fts MATCH :fts_q").bindparams(fts_q=_fts5_query(usable, joiner)),
                    *criteria,
                )
            )
            return db.session.execute(stmt.order_by(text("score DESC"), Product.id).limit(n)).all()

        return run

    def similar(criteria, n):
        grams = sorted({w[i : i + 3] for w in words if len(w) >= 3 for i in range(len(w) - 2)})
        if not grams:
            return []
        match = " OR ".join(f'"{g}"' for g in grams)
        stmt = (
            select(Product.id, Product.title)
            .select_from(_TRGM)
            .join(Product, Product.id == _TRGM.c.rowid)
            .where(text("product_search_trgm MATCH :trgm_q").bindparams(trgm_q=match), *criteria)
            .order_by(text("bm25(product_search_trgm)"))
            .limit(TRIGRAM_CANDIDATES)
        )
        scored = [(pid, word_similarity(words, title)) for pid, title in db.session.execute(stmt)]
        scored = [(pid, s) for pid, s in scored if s >= TRIGRAM_THRESHOLD]
        return sorted(scored, key=lambda item: (-item[1], item[0]))[:n]

    passes = [("all_terms", fts("AND", 10.0))]
    if len(words) > 1:
        passes.append(("any_term", fts("OR", 5.0, min_len=3)))
    passes.append(("similar", similar))
    return passes


def _grams(word: str) -> set[str]:
    padded = f"  {word} "  # as pg_trgm pads words, so short words and word starts weigh in
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def word_similarity(words: list[str], title: str) -> float:
    """pg_trgm's `word_similarity` in spirit: the share of each query word's trigrams found in its best
    matching title word, averaged over the query words (0..1)."""
    title_words = terms(title)
    if not words or not title_words:
        return 0.0
    best = []
    for word in words:
        grams = _grams(word)
        best.append(max(len(grams & _grams(t)) / len(grams) for t in title_words))
    return sum(best) / len(best)
