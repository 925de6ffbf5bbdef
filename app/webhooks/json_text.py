"""A signed webhook body as JSON text that the inbox and every later write can hold.

JSON may escape characters that a database cannot store: NUL (`\\u0000`, which Postgres text refuses) and lone
UTF-16 surrogates (`\\ud800`, not Unicode scalar values, which no UTF-8 encoder writes). `json.loads` accepts
both, so such a delivery used to be acknowledged and then fail in the worker at its first write, on every retry.
`load` replaces each such escape by `\\ufffd` (U+FFFD, the replacement character) in the body's text: the stored
payload is the platform's text byte for byte except those escapes, and nothing parsed from it is unstorable.
It also answers ValueError for everything that is not a JSON document in UTF-8 (RFC 8259), deep nesting
included. Called only after the signature checked out (the signature covers the bytes as received).
"""

from __future__ import annotations

import json
import re

# An escape preceded by an even number of backslashes (an odd number would make its own backslash literal):
# \u0000, a high surrogate with or without the low one that completes it, or a low surrogate on its own.
_ESCAPE = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(?:0000|[dD][89abAB][0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    r"|[dD][c-fC-F][0-9a-fA-F]{2})"
)
REPLACEMENT = "\\ufffd"


def _replace(match: re.Match) -> str:
    if match.group(2):  # a complete surrogate pair is one real character: keep it
        return match.group(0)
    return match.group(1) + REPLACEMENT


def storable(text: str) -> str:
    """`text` with its NUL and lone-surrogate escapes replaced; the same object when it has none."""
    return _ESCAPE.sub(_replace, text) if "\\u" in text else text


def load(raw: bytes) -> tuple[str, object]:
    """(storable text, parsed value) of a JSON body; ValueError naming the problem otherwise."""
    try:
        text = storable(raw.decode("utf-8-sig"))  # RFC 8259 lets a parser ignore a byte order mark
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return text, json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
