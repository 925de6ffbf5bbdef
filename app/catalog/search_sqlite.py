"""The catalog search's passes on SQLite (FTS5), for `app.catalog.search`: the same pass names and row shapes
as on Postgres, so `search` runs either list the same way.

`product_search_fts` (workspace, title, meta = vendor + type, tags, skus) is ranked by bm25;
`product_search_trgm` (trigram tokenizer) finds typo candidates, scored by `word_similarity`. Triggers of
migration 0002 keep both tables in step with `product` and `product_variant`. Must not import
`app.catalog.search` (which imports this).
"""

from __future__ import annotations

from sqlalchemy import column, literal_column, select, table, text

from app.catalog.terms import fts5_query, spellings, terms
from app.extensions import db
from app.models import Product

TRIGRAM_THRESHOLD = 0.45  # below this a "typo" match is mostly noise
TRIGRAM_CANDIDATES = 50

# bm25 weights per column: workspace_id (unindexed), title, meta (vendor + type), tags, skus.
_BM25 = "bm25(product_search_fts, 0.0, 10.0, 4.0, 3.0, 8.0)"
_FTS = table("product_search_fts", column("rowid"))
_TRGM = table("product_search_trgm", column("rowid"))


def sqlite_passes(words: list[str]):
    def fts(joiner: str, base: float, min_len: int = 1):
        def run(criteria, narrowing, n):
            usable = [w for w in words if len(w) >= min_len]
            if not usable:
                return []
            score = literal_column(f"{base} - {_BM25}")
            stmt = (
                select(Product.id, score.label("score"))
                .select_from(_FTS)
                .join(Product, Product.id == _FTS.c.rowid)
                .where(
                    text("product_search_fts MATCH :fts_q").bindparams(fts_q=fts5_query(usable, joiner)),
                    *criteria,
                    *narrowing,
                )
            )
            return db.session.execute(stmt.order_by(text("score DESC"), Product.id).limit(n)).all()

        return run

    def similar(criteria, narrowing, n):
        stmt = _trigram_candidates(words, criteria + narrowing)
        if stmt is None:
            return []
        scored = [(pid, word_similarity(words, title)) for pid, title in db.session.execute(stmt)]
        scored = [(pid, s) for pid, s in scored if s >= TRIGRAM_THRESHOLD]
        return sorted(scored, key=lambda item: (-item[1], item[0]))[:n]

    passes = [("all_terms", fts("AND", 10.0))]
    if len(words) > 1:
        passes.append(("any_term", fts("OR", 5.0, min_len=3)))
    passes.append(("similar", similar))
    return passes


def _trigram_candidates(words: list[str], criteria: list):
    """(product id, title) of the TRIGRAM_CANDIDATES titles sharing most trigrams with the words or their
    transpositions, or None when the words are too short for trigrams."""
    grams = sorted(
        {w[i : i + 3] for word in words for w in spellings(word) if len(w) >= 3 for i in range(len(w) - 2)}
    )
    if not grams:
        return None
    match = " OR ".join(f'"{g}"' for g in grams)
    return (
        select(Product.id, Product.title)
        .select_from(_TRGM)
        .join(Product, Product.id == _TRGM.c.rowid)
        .where(text("product_search_trgm MATCH :trgm_q").bindparams(trgm_q=match), *criteria)
        .order_by(text("bm25(product_search_trgm)"))
        .limit(TRIGRAM_CANDIDATES)
    )


def similar_words(words: list[str], criteria: list) -> dict[int, list[str]]:
    """Query word number (from 1) -> title words of the candidate products close to it, closest first."""
    stmt = _trigram_candidates(words, criteria)
    if stmt is None:
        return {}
    title_words = {w for (_pid, title) in db.session.execute(stmt) for w in terms(title)}
    groups = {}
    for n, word in enumerate(words, start=1):
        close = sorted(
            ((_closeness(word, known), known) for known in title_words), key=lambda c: (-c[0], c[1])
        )
        close = [known for score, known in close if score >= TRIGRAM_THRESHOLD][:3]
        if close:
            groups[n] = close
    return groups


def _closeness(word: str, known: str) -> float:
    return max(len(_grams(w) & _grams(known)) / len(_grams(w)) for w in spellings(word))


def _grams(word: str) -> set[str]:
    padded = f"  {word} "  # as pg_trgm pads words, so short words and word starts weigh in
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def word_similarity(words: list[str], title: str) -> float:
    """pg_trgm's `word_similarity` in spirit: the share of each query word's trigrams found in its best
    matching title word, averaged over the query words (0..1)."""
    title_words = terms(title)
    if not words or not title_words:
        return 0.0
    # A transposed pair of letters counts as its swap back (`spellings`).
    best = [max(_closeness(word, t) for t in title_words) for word in words]
    return sum(best) / len(best)
