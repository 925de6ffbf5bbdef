"""Ranked catalog search with typo tolerance, on Postgres and on SQLite: what the agent tools (and any other
agent door) answer "find me ..." with.

Postgres (migrations 0002, 0003_search_words_index): a stored, weighted `search_tsv` column (title A, vendor +
type B, tags C) behind a GIN index; a SKU prefix index on variants; for typos, `product_search_words` (every
word of each workspace's catalog, kept by triggers) behind one GIN index on (workspace, word trigrams):
misspelt words are corrected to the workspace's closest known words, then searched. SQLite
(`app.catalog.search_sqlite`): the FTS5 table `product_search_fts` ranked by bm25, and the trigram FTS5 table
`product_search_trgm` for typos; triggers keep both in sync with `product` and `product_variant`.

Passes, each indexed, each run only if the previous ones found fewer than `limit` products:
SKU prefix (Postgres; SQLite matches SKUs in FTS) -> all terms (exact, then prefix) -> any term (OR) ->
similar words (trigrams).
Filters (category, collection, price range, in stock by *available* stock, `app.catalog.stock`) apply inside every pass;
on Postgres the stock check alone runs on the ranked matches, best first, until enough pass (see `_ranked`).
Returns product ids with scores; turning them into result cards is the caller's job.
This module must not scan `product` with LIKE/ILIKE, and never reads another workspace's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    Float,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased

from app.catalog.groupings import in_collection_named
from app.catalog.search_sqlite import similar_words as similar_words_sqlite
from app.catalog.search_sqlite import sqlite_passes
from app.catalog.stock import in_stock
from app.catalog.terms import WORD, category_slug, sku_prefix, spellings, terms, tsquery
from app.extensions import db
from app.models import Product, ProductCategory, ProductVariant


@dataclass(frozen=True)
class Filters:
    category: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock_only: bool = False
    limit: int = 10
    collection: str | None = None  # a collection's handle or title (`app.catalog.groupings`)


@dataclass(frozen=True)
class Hit:
    product_id: int
    score: float
    matched_by: str  # sku, all_terms, any_term, similar, browse


def search(workspace_id: int, query: str, filters: Filters = Filters()) -> list[Hit]:
    limit = max(1, min(int(filters.limit), 50))
    words = terms(query)
    criteria, narrowing = _filter_criteria(workspace_id, filters)
    if not words:
        stmt = (
            select(Product.id).where(*criteria, *narrowing).order_by(Product.title, Product.id).limit(limit)
        )
        return [Hit(pid, 0.0, "browse") for pid in db.session.scalars(stmt)]
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if not postgres:
        return _run(sqlite_passes(words), criteria, narrowing, limit)
    # psycopg prepares repeated statements, and a generic plan cannot see the tsquery; prefix queries are
    # estimated so loosely that "LIMIT n" looks cheaper as a sequential scan, or as a walk of the whole
    # workspace along `ix_product_workspace_id` (a table scan in all but name: 100,000 rows filtered to
    # find none). Search must go through its own indexes (GIN and trigram lookups are bitmap scans; the
    # few row probes that follow do well as bitmap or index-only scans): say so for these statements only
    # (transaction-local, switched back below).
    db.session.execute(
        text(_PG_SEARCH_SETTINGS),
        {"mode": "force_custom_plan", "scan": "off", "similarity": str(WORD_SIMILARITY)},
    )
    try:
        return _run(_postgres_passes(workspace_id, query, words), criteria, narrowing, limit)
    finally:
        db.session.execute(text(_PG_SETTINGS), {"mode": "auto", "scan": "on"})


def similar_words(workspace_id: int, query: str) -> list[list[str]]:
    """The typo pass's corrections of `query` read on their own: for each of its words that has some, the
    workspace's known words closest to it (closest first). What the Products page searches for when the
    merchant's words match nothing as typed (`app.catalog.matches`)."""
    words = [w for w in terms(query) if len(w) >= 3]
    if not words:
        return []
    if db.session.get_bind().dialect.name != "postgresql":
        criteria = [Product.workspace_id == workspace_id, Product.deleted_at.is_(None)]
        groups = similar_words_sqlite(words, criteria)
    else:
        db.session.execute(
            text(_PG_SEARCH_SETTINGS), {"mode": "auto", "scan": "on", "similarity": str(WORD_SIMILARITY)}
        )
        groups = _correction_groups(db.session.execute(select(_corrections_query(workspace_id, words))).all())
    return [groups[n] for n in sorted(groups)]


_PG_SETTINGS = (
    "SELECT set_config('plan_cache_mode', :mode, true), set_config('enable_seqscan', :scan, true), "
    "set_config('enable_indexscan', :scan, true)"
)
# The trigram threshold only matters to this module's `%` lookups: set with the others, left as it is after.
_PG_SEARCH_SETTINGS = _PG_SETTINGS + ", set_config('pg_trgm.similarity_threshold', :similarity, true)"


def _run(passes, criteria: list, narrowing: list, limit: int) -> list[Hit]:
    hits: list[Hit] = []
    for matched_by, run in passes:
        found = {h.product_id for h in hits}
        extra = criteria + ([Product.id.not_in(found)] if found else [])
        # A row is (product id, score), or (product id, score, matched_by) from a run of several passes.
        for row in run(extra, narrowing, limit - len(hits)):
            hits.append(Hit(row[0], float(row[1] or 0), row[2] if len(row) > 2 else matched_by))
        if len(hits) >= limit or (matched_by == "sku" and hits):
            break  # a SKU names its product: other words would only add noise
    return hits[:limit]


# Built once: a fresh alias per search costs more Python time than the stock check costs Postgres.
_STOCK_VARIANT = aliased(ProductVariant, name="stock_variant")


def _filter_criteria(workspace_id: int, f: Filters) -> tuple[list, list]:
    """(criteria, narrowing): every product shown meets both. On Postgres the narrowing set (the available
    stock check, one variant and reservation probe per product) is checked after ranking, on the best
    matches only (see `_ranked`); the cheap column tests stay in `criteria`, where the planner may also
    answer a rare category or price range from its own index."""
    criteria = [
        Product.workspace_id == workspace_id,
        Product.deleted_at.is_(None),
        Product.status == "active",
    ]
    narrowing: list = []
    if f.category and f.category.strip():
        name = f.category.strip().lower()
        categories = select(ProductCategory.id).where(
            ProductCategory.workspace_id == workspace_id,
            or_(func.lower(ProductCategory.name) == name, ProductCategory.slug == category_slug(name)),
        )
        criteria.append(or_(Product.category_id.in_(categories), func.lower(Product.product_type) == name))
    if f.collection and f.collection.strip():
        criteria.append(Product.id.in_(in_collection_named(workspace_id, f.collection)))
    if not f.in_stock_only:
        # The product's price range (kept by the sync) overlaps the wanted range: no variant lookups.
        if f.price_min is not None:
            criteria.append(Product.price_max >= f.price_min)
        if f.price_max is not None:
            criteria.append(Product.price_min <= f.price_max)
    else:
        # One variant must satisfy price and stock together: "in stock under 50" means the same variant.
        v = _STOCK_VARIANT
        conditions = [v.product_id == Product.id]
        if f.price_min is not None:
            conditions.append(v.price >= f.price_min)
        if f.price_max is not None:
            conditions.append(v.price <= f.price_max)
        conditions.append(in_stock(v))
        # With a price bound, few of the best matches may have a variant both in stock and in range: walking
        # the ranking would then mostly end in the exact query anyway, so that is where it goes.
        priced = f.price_min is not None or f.price_max is not None
        (criteria if priced else narrowing).append(exists(select(v.id).where(*conditions)))
    return criteria, narrowing


# --- Postgres -------------------------------------------------------------------------------------------

_TSV = literal_column("product.search_tsv")
_SIMPLE = literal_column("'simple'::regconfig")
# A common word can match thousands of products; ranking reads each one's vector. The best of the first
# CANDIDATES index matches is what we rank: for a one-word query they score alike anyway.
CANDIDATES = 1000
CORRECTIONS = 3  # known words tried per misspelt query word
WORD_SIMILARITY = 0.25  # transpositions ("jakcet") share few trigrams; the word table is small, so cast wide


# Up to CORRECTIONS known words per query word sharing enough trigrams with it (`%`, through the workspace's
# trigram index), with their similarity: `_correction_groups` orders them.
_CORRECTIONS_SQL = (
    "SELECT q.n, k.word, k.similarity FROM unnest(CAST(:corr_words AS text[]), CAST(:corr_ns AS integer[])) "
    "AS q(word, n) "
    "CROSS JOIN LATERAL (SELECT w.word, similarity(w.word, q.word) AS similarity FROM product_search_words w "
    "WHERE w.workspace_id = CAST(:corr_ws AS integer) AND w.word % q.word "
    "ORDER BY similarity(w.word, q.word) DESC, w.word LIMIT :corr_k) AS k"
)


def _corrections_query(workspace_id: int, words: list[str]):
    """Known words near each query word (numbered from 1) or near one of its transpositions (`spellings`)."""
    looked_up = [(spelling, n) for n, word in enumerate(words, start=1) for spelling in spellings(word)]
    return (
        text(_CORRECTIONS_SQL)
        .bindparams(
            corr_words=[w for w, _ in looked_up],
            corr_ns=[n for _, n in looked_up],
            corr_ws=workspace_id,
            corr_k=CORRECTIONS,
        )  # fmt: skip
        .columns(column("n", Integer), column("word", Text), column("similarity", Float))
        .subquery("corrections")
    )


def _correction_groups(rows) -> dict[int, list[str]]:
    """Query word number -> its known words, closest first."""
    groups: dict[int, list[str]] = {}
    for n_word, known, _similarity in sorted(rows, key=lambda r: (r[0], -r[2], r[1])):
        group = groups.setdefault(n_word, [])
        # A word's spellings may find the same known word; CORRECTIONS in all, as for a single spelling.
        if WORD.fullmatch(known) and known not in group and len(group) < CORRECTIONS:
            group.append(known)
    return {n: group for n, group in groups.items() if group}


def _ranked(
    criteria, narrowing, tsquery_text: str, base: float, n: int, name: str, prefer: str | None = None
):
    """The best `n` of the first CANDIDATES matches of the tsquery, as (product id, score). `prefer`: a
    stricter tsquery whose matches rank above the others (the closest spelling corrections)."""
    tsq = func.to_tsquery(_SIMPLE, bindparam(name, tsquery_text))
    bonus = func.to_tsquery(_SIMPLE, bindparam(f"{name}_prefer", prefer)) if prefer else None

    def scored(candidates):
        score = func.ts_rank(candidates.c.tsv, tsq) + base
        if bonus is not None:
            score = score + case((candidates.c.tsv.op("@@")(bonus), 1.0), else_=0.0)
        return score.label("score")

    if not narrowing:
        return _ranked_filtered(criteria, tsq, scored, n)
    # Rank first, then walk the ranking and check the narrowing filters (available stock) only until `n`
    # products pass: a handful of stock probes instead of one per match. The candidates are
    # the same first CANDIDATES matches as without filters; if they run out before `n` pass and there were
    # more matches, the filters go back inside the candidate query, as exact as before.
    candidates = _candidates(criteria, tsq)
    score = scored(candidates)
    order = (score.desc(), candidates.c.id)
    ranked = (
        select(
            candidates.c.id,
            score,
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("rank"),
        )
        .order_by(*order)
        .limit(CANDIDATES)  # keeps the filters above the sort (no pushing them down into it)
        .subquery()
    )
    passes = and_(*narrowing)
    stmt = (
        select(ranked.c.id, ranked.c.score, ranked.c.total, passes.label("passes"))
        .join(Product, Product.id == ranked.c.id)
        .where(or_(passes, ranked.c.rank == 1))  # the best match always comes back, with the count
        .order_by(ranked.c.score.desc(), ranked.c.id)
        .limit(n + 1)
    )
    rows = db.session.execute(stmt).all()
    found = [(row.id, row.score) for row in rows if row.passes][:n]
    if not rows or len(found) >= n or rows[0].total < CANDIDATES:
        return found
    return _ranked_filtered(criteria + narrowing, tsq, scored, n)


def _candidates(criteria, tsq):
    return (
        select(Product.id.label("id"), _TSV.label("tsv"))
        .where(*criteria, _TSV.op("@@")(tsq))
        .limit(CANDIDATES)
        .subquery()
    )


def _ranked_filtered(criteria, tsq, scored, n: int):
    candidates = _candidates(criteria, tsq)
    score = scored(candidates)
    stmt = select(candidates.c.id, score).order_by(score.desc(), candidates.c.id).limit(n)
    return db.session.execute(stmt).all()


def _postgres_passes(workspace_id: int, query: str, words: list[str]):
    def sku(criteria, narrowing, n):
        raw = query.strip().lower()
        if " " in raw or len(raw) < 3 or not any(ch.isdigit() for ch in raw):
            return []  # SKUs carry digits; plain words go to full text
        pattern = sku_prefix(raw)
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
        stmt = select(Product.id, literal_column("100.0")).where(
            *criteria, *narrowing, Product.id.in_(set(ids))
        )
        return db.session.execute(stmt.order_by(Product.id).limit(n)).all()

    wanted = [w for w in words if len(w) >= 3]
    looked_up: dict[str, dict[int, list[str]]] = {}

    def full_text(criteria, narrowing, n):
        hits, corrections = _full_text(criteria, narrowing, specs, n, workspace_id, wanted)
        if corrections is not None:
            looked_up["groups"] = _correction_groups(corrections)
        return hits

    def similar(criteria, narrowing, n):
        if not wanted:
            return []
        by_word = looked_up.get("groups")
        if by_word is None:
            corrections = _corrections_query(workspace_id, wanted)
            by_word = _correction_groups(db.session.execute(select(corrections)).all())
        groups = ["(" + " | ".join(f"'{k}'" for k in by_word[i]) + ")" for i in sorted(by_word)]
        if not groups:
            return []
        # Any of a word's corrections may match, but the closest one of each word ranks first.
        closest = " & ".join(f"'{by_word[i][0]}'" for i in sorted(by_word))
        return _ranked(criteria, narrowing, " & ".join(groups), 0.0, n, "tsq_similar", prefer=closest)

    specs = [
        _Pass("all_terms", tsquery(words, "&", prefix=False), 20.0, "tsq_exact"),
        _Pass("all_terms", tsquery(words, "&"), 10.0, "tsq_prefix"),
    ]
    if len(words) > 1 and wanted:  # shorter words left out: "a:*" would match half the catalog
        specs.append(_Pass("any_term", tsquery(wanted, "|"), 5.0, "tsq_any"))
    return [("sku", sku), ("full_text", full_text), ("similar", similar)]


@dataclass(frozen=True)
class _Pass:
    matched_by: str
    tsquery: str
    base: float
    name: str


def _full_text(criteria, narrowing, specs: list[_Pass], n: int, workspace_id: int, words: list[str]):
    """The full-text passes in order, each one only if the ones before found fewer than `n` products, as
    ([(product id, score, matched_by)], the typo corrections of `words` if already looked up, else None)."""
    # The first pass alone: it is the one that usually finds enough.
    first = specs[0]
    rows = _ranked(criteria, narrowing, first.tsquery, first.base, n, first.name)
    found = [(pid, score, first.matched_by) for pid, score in rows]
    if len(found) >= n:
        return found, None
    # The others in one statement: each pass is a CTE; a later one excludes the products found before it,
    # and a constant condition on their count switches it off (never executed) once they reach `n`. The
    # same condition gates the typo corrections, so a query that finds too little brings them back in the
    # same round trip. Filters go inside here: these passes rarely have many matches to rank.
    criteria = criteria + narrowing + ([Product.id.not_in([f[0] for f in found])] if found else [])
    done = []

    def too_few():
        before = union_all(*(select(d.c.id) for d in done)).subquery()
        return before, select(func.count()).select_from(before).scalar_subquery() < n - len(found)

    for k, p in enumerate(specs[1:], start=1):
        tsq = func.to_tsquery(_SIMPLE, bindparam(p.name, p.tsquery))
        extra = list(criteria)
        if done:
            before, gate = too_few()
            extra += [gate, Product.id.not_in(select(before.c.id))]
        candidates = _candidates(extra, tsq)
        score = (func.ts_rank(candidates.c.tsv, tsq) + p.base).label("score")
        hits = select(candidates.c.id, score, literal(k).label("k"), null().cast(Text).label("word"))
        done.append(hits.order_by(score.desc(), candidates.c.id).limit(n).cte(f"{p.name}_hits"))
    parts = [select(d.c.id, d.c.score, d.c.k, d.c.word) for d in done]
    if words:
        corrections = _corrections_query(workspace_id, words)
        parts.append(
            select(corrections.c.n, corrections.c.similarity, literal(len(specs)), corrections.c.word).where(
                too_few()[1]
            )
        )
    rows = db.session.execute(union_all(*parts)).all()
    hits = sorted((r for r in rows if r[2] < len(specs)), key=lambda r: (r[2], -r[1], r[0]))
    found += [(pid, score, specs[k].matched_by) for pid, score, k, _ in hits]
    if not words or len(found) >= n:
        return found[:n], None
    return found, [(r[0], r[3], r[1]) for r in rows if r[2] == len(specs)]
