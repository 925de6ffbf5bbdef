"""Hypothesis strategies for hostile parameter values, shared by the page and API fuzz tests, and the
parameter names to fuzz (read from the templates' form fields and the code's argument reads, so a new field
is fuzzed the day it appears)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
INT32, INT64 = 2**31, 2**63

# Numbers just past each integer width, on both sides, and far past them.
BIG_NUMBERS = [INT32, INT32 - 1, -INT32 - 1, INT64, -INT64 - 1, 10**30, -(10**30)]
TRICKY_TEXT = [
    "", " ", "0", "-1", "1", "1.5", "1e9", "NaN", "²", "١", "a\x00b", "\x00", "\x01\x02", "\x1b[31m", "\x7f",
    "\ud800", "x\udfffy", "x" * 5_000, "é" * 3_000, "' OR 1=1 --", "%00", "../../etc", "[]", "{}", "true",
]  # fmt: skip

# What used to reach the database and fail there: a NUL byte, numbers past INTEGER and BIGINT.
KILLERS = ["a\x00b", str(INT32), str(-INT32 - 1), "9" * 30]

# Lone surrogates and every control character included (hypothesis leaves surrogates out by default).
any_char = st.characters(codec=None, categories=None)
nasty_text = st.one_of(
    st.sampled_from(TRICKY_TEXT),
    st.sampled_from(BIG_NUMBERS).map(str),
    st.text(any_char, max_size=40),
    st.integers().map(str),
)
nasty_json = st.one_of(
    nasty_text,
    st.sampled_from(BIG_NUMBERS),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(st.integers(), nasty_text, st.none()), max_size=3),
    st.dictionaries(
        st.sampled_from(["id", "variant_id", "quantity", "x"]), st.integers() | nasty_text, max_size=2
    ),
)
path_ids = st.one_of(st.integers(1, 5), st.sampled_from(BIG_NUMBERS).filter(lambda n: n > 0), st.just(10**30))


def as_bytes(value: str) -> bytes:
    """UTF-8, letting lone surrogates through as the invalid byte sequences a client could send."""
    return value.encode("utf-8", "surrogatepass")


def rule_paths(rule, segments: dict):
    """A strategy of paths of a URL rule, each variable drawn from `segments[name]` and percent-encoded byte
    for byte (lone surrogates included)."""

    def build(values):
        path = rule.rule
        for name in rule._converters:
            placeholder = path[path.index("<") : path.index(">") + 1]
            path = path.replace(placeholder, quote_from_bytes(as_bytes(values[name]), safe=""), 1)
        return path

    return st.fixed_dictionaries(segments).map(build)


def urlencode(pairs) -> str:
    return "&".join(f"{quote_from_bytes(as_bytes(k))}={quote_from_bytes(as_bytes(v))}" for k, v in pairs)


def _names(pattern: str, glob: str, where: str) -> set[str]:
    found = set()
    for path in (ROOT / where).rglob(glob):
        if "demo_store" not in path.parts:
            found.update(re.findall(pattern, path.read_text()))
    return found


_READS = r'(?:form|data|values|args|params)(?:\.get|\.getlist)?[(\[]"(\w+)"'
FORM_NAMES = sorted(
    (_names(r'name="(\w+)"', "*.html", "templates") | _names(r"(\w+) = \w+Field\(", "*.py", "app")
     | _names(_READS, "*.py", "app/web") | _names(_READS, "*.py", "app/services")) - {"csrf_token"}
)  # fmt: skip
ARG_NAMES = sorted(
    _names(r'args\.get\("(\w+)"', "*.py", "app") | {"q", "status", "limit", "cursor", "per_page"}
)
JSON_NAMES = sorted(
    set(FORM_NAMES) | set(ARG_NAMES) | _names(_READS, "*.py", "app/api")
    | {"items", "variant_id", "order_id", "integration_id", "ids", "quantity", "category_id", "shop_domain",
       "display_name", "platform", "access_token", "phone_number_id", "page_id", "ttl_seconds", "variants"}
)  # fmt: skip


def query_pairs(names):
    return st.lists(st.tuples(st.sampled_from(names) | st.text(any_char, max_size=8), nasty_text), max_size=4)


def fuzz_settings(examples: int):
    return settings(
        max_examples=examples, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
    )  # fmt: skip


def named_parameter(body: str, sent: set[str]) -> bool:
    """An error page or fragment names the bad parameter: one of the names sent, quoted (`'q' must ...`) or
    as a list's label (`<li>sort: Must be ...`)."""
    return any(f"&#39;{name}&#39;" in body or f"'{name}'" in body or f">{name}: " in body for name in sent)
