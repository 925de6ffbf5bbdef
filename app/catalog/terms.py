"""Customer text into search terms, and the terms into the match strings every catalog search sends.

One reading of a query for the ranked search (`app.catalog.search`) and the list filter
(`app.catalog.matches`): the words (`terms`), the Postgres tsquery and SQLite FTS5 match strings built from
them, and the SKU prefix pattern. Every term is quoted, so syntax characters in customer text can never break
a query. Pure functions: no database, no imports of ours.
"""

from __future__ import annotations

import re

MAX_TERMS = 8
WORD = re.compile(r"\w+", re.UNICODE)


def terms(query: str) -> list[str]:
    words = [w for w in WORD.findall((query or "").lower()) if w.strip("_")]
    return words[:MAX_TERMS]


def stem(term: str) -> str:
    # Prefix matching covers "shoe" -> "shoes"; cutting a plural "s" covers "shoes" -> "shoe" too.
    return term[:-1] if len(term) > 4 and term.endswith("s") and not term.endswith("ss") else term


def spellings(word: str) -> list[str]:
    """The word and its adjacent transpositions ("tshrit" -> ..., "tshirt", ...), for the typo lookups: a
    swapped pair of letters breaks most of a word's trigrams, so the swap back is looked up too."""
    found = [word]
    if len(word) >= 4:
        for i in range(len(word) - 1):
            if word[i] != word[i + 1]:
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if swapped not in found:
                    found.append(swapped)
    return found


def tsquery(words: list[str], joiner: str, *, prefix: bool = True, stemmed: bool = True) -> str:
    """A tsquery text: each word exact (`'w'`) or as a prefix (`'w':*`, stemmed unless told not to)."""
    if not prefix:
        return f" {joiner} ".join(f"'{w}'" for w in words)
    return f" {joiner} ".join(f"'{stem(w) if stemmed else w}':*" for w in words)


def fts5_query(words: list[str], joiner: str, *, stemmed: bool = True) -> str:
    """An FTS5 MATCH text: each word a quoted prefix, joined by AND or OR."""
    return f" {joiner} ".join(f'"{stem(w) if stemmed else w}"*' for w in words)


def sku_prefix(raw: str) -> str:
    """A LIKE pattern (escape character `\\`) for SKUs starting with `raw`."""
    return raw.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_SLUG = re.compile(r"[^a-z0-9]+")


def category_slug(name: str) -> str:
    """The slug a category is stored under (the sync names categories by it; search finds them by it)."""
    return _SLUG.sub("-", name.lower()).strip("-")[:255] or "uncategorised"
