"""Connection paging for products and orders: search filters, sort keys, opaque cursors, ``pageInfo``.

Base records are ordered by index for every supported sort key (ids and timestamps grow with it), so a page
starts with a binary search over computed keys and only ``first + 1`` records are ever built. Changed
products sort by their real ``updated_at`` and are merged in from the overlay. Supported filters are
``updated_at`` / ``created_at`` comparisons (``>``, ``>=``, ``<``, ``<=``, ``:``), ``status`` and ``id``;
others are ignored, as Shopify ignores unknown search fields. A page's ``cursors`` is a function, and so
are a short list's start and end cursors: most documents select ``nodes`` and ``hasNextPage`` only, so
cursors are encoded only when asked for.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import GraphQLError

from app.demo_store import catalog

MAX_PAGE = 250
TERM = re.compile(r"^(?P<field>[a-z_]+):(?P<op><=|>=|<|>)?(?P<value>.+)$")
PRODUCT_SORTS = {"ID": None, "RELEVANCE": None, "UPDATED_AT": "updated_at", "CREATED_AT": "created_at"}


@dataclass
class Filters:
    bounds: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # field -> [(op, iso)]
    status: set[str] | None = None
    ids: set[int] | None = None

    def accepts(self, record: dict) -> bool:
        for name, conditions in self.bounds.items():
            value = record[name]
            for op, bound in conditions:
                if not {">": value > bound, ">=": value >= bound, "<": value < bound, "<=": value <= bound,
                        "=": value[:len(bound)] == bound}[op]:  # fmt: skip
                    return False
        if self.status is not None and record.get("status", "ACTIVE").lower() not in self.status:
            return False
        return self.ids is None or record["id"] in self.ids


def parse_query(query: str | None) -> Filters:
    filters = Filters()
    if not query:
        return filters
    try:
        terms = shlex.split(query)
    except ValueError:
        terms = query.split()
    for term in terms:
        match = TERM.match(term)
        if not match or term in ("AND",):
            continue
        name, op, value = match["field"], match["op"] or "=", match["value"].strip("'\"")
        if name in ("updated_at", "created_at"):
            try:
                moment = catalog.iso(catalog.parse_time(value))
            except ValueError:
                continue
            filters.bounds.setdefault(name, []).append((op, moment if op != "=" else value[:10]))
        elif name == "status":
            filters.status = {v.lower() for v in value.split(",")}
        elif name == "id" and value.isdigit():
            filters.ids = {int(value)}
    return filters


def encode_cursor(record_id: int, value) -> str:
    raw = json.dumps({"last_id": record_id, "last_value": value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return (data["last_value"], data["last_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError(f"Invalid cursor for current pagination sort. ({cursor})") from exc


def page_args(args: dict, cap: int = MAX_PAGE) -> tuple[bool, int, str | None]:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    size = first if first is not None else last
    if size > cap or size < 0:
        raise GraphQLError(
            f"The {'first' if first is not None else 'last'} argument must be between 0 and 250."
        )
    forward = first is not None
    return forward, size, args.get("after") if forward else args.get("before")


def _key(record: dict, sort_field: str | None) -> tuple:
    return (record[sort_field] if sort_field else record["id"], record["id"])


def _base_key(i: int, sort_field: str | None) -> tuple:
    pid = catalog.product_id(i)
    if sort_field == "updated_at":
        return (catalog.iso(catalog.updated_at(i)), pid)
    if sort_field == "created_at":
        return (catalog.iso(catalog.created_at(i)), pid)
    return (pid, pid)


def _base_range(view, filters: Filters) -> tuple[int, int]:
    lo, hi = 0, view.product_count
    # Every uniform base product is ACTIVE; the awkward catalog has drafts, checked per record instead.
    if filters.status is not None and "active" not in filters.status and view.kind == "uniform":
        return 0, 0
    for name, conditions in filters.bounds.items():
        for op, bound in conditions:
            if op == "=":
                continue  # a date equality is checked per record below
            moment = catalog.parse_time(bound)
            if op in (">", ">="):
                lo = max(lo, catalog.first_index_after(moment, field=name, inclusive=op == ">="))
            else:
                hi = min(hi, catalog.first_index_after(moment, field=name, inclusive=op == "<"))
    return lo, max(lo, hi)


def _seek(
    lo: int, hi: int, cursor: tuple | None, sort_field: str | None, descending: bool
) -> tuple[int, int]:
    """Narrow [lo, hi) to indices strictly after ``cursor`` in the walking direction."""
    if cursor is None:
        return lo, hi
    a, b = lo, hi
    while a < b:  # first index whose key is > cursor
        mid = (a + b) // 2
        if _base_key(mid, sort_field) <= cursor:
            a = mid + 1
        else:
            b = mid
    if descending:
        b2 = a
        while b2 > lo and _base_key(b2 - 1, sort_field) >= cursor:
            b2 -= 1
        return lo, b2
    return a, hi


def product_page(view, args: dict) -> dict:
    """Records and page info for ``products(...)`` against a `ShopView`."""
    sort = args.get("sortKey") or "ID"
    if sort not in PRODUCT_SORTS:
        raise GraphQLError(
            f"The demo store cannot sort products by {sort}; use ID, UPDATED_AT or CREATED_AT."
        )
    sort_field = PRODUCT_SORTS[sort]
    forward, size, cursor_text = page_args(args)
    descending = bool(args.get("reverse")) != (not forward)
    cursor = decode_cursor(cursor_text) if cursor_text else None
    filters = parse_query(args.get("query"))
    lo, hi = _seek(*_base_range(view, filters), cursor, sort_field, descending)
    indices = range(hi - 1, lo - 1, -1) if descending else range(lo, hi)
    base: Iterator = (
        (_base_key(i, sort_field), i) for i in indices if i not in view.changes and i not in view.deleted
    )
    changed = []
    for i, record in view.changes.items():
        if i in view.deleted or not filters.accepts(record):
            continue
        key = _key(record, sort_field)
        if cursor is None or (key < cursor if descending else key > cursor):
            changed.append((key, i))
    changed.sort(reverse=descending)
    merged = heapq.merge(base, changed, reverse=descending)
    picked = []
    for _sort_key, i in merged:
        record = view.product(i)
        if record is None or not filters.accepts(record):
            continue
        picked.append(record)
        if len(picked) > size:
            break
    return _page(picked, size, forward, cursor_text, lambda r: _key(r, sort_field))


def order_page(store, shop: str, args: dict) -> dict:
    """Orders are few and index-ordered for every sort key; filters are checked per record."""
    forward, size, cursor_text = page_args(args)
    descending = bool(args.get("reverse")) != (not forward)
    cursor = decode_cursor(cursor_text) if cursor_text else None
    filters = parse_query(args.get("query"))
    sort_field = {"UPDATED_AT": "updated_at", "CREATED_AT": "created_at", "PROCESSED_AT": "created_at"}.get(
        args.get("sortKey") or "ID"
    )
    total = store.order_total(shop)
    indices = range(total - 1, -1, -1) if descending else range(total)
    picked = []
    for j in indices:
        order = store.order(shop, j)
        if order is None or not filters.accepts(order):
            continue
        key = _key(order, sort_field)
        if cursor is not None and not (key < cursor if descending else key > cursor):
            continue
        picked.append(order)
        if len(picked) > size:
            break
    return _page(picked, size, forward, cursor_text, lambda r: _key(r, sort_field))


def _page(picked: list[dict], size: int, forward: bool, cursor_text: str | None, key) -> dict:
    more = len(picked) > size
    records = picked[:size]
    if not forward:
        records.reverse()
    return {
        "records": records,
        "cursors": lambda: [encode_cursor(r["id"], key(r)[0]) for r in records],
        "pageInfo": {
            "hasNextPage": more if forward else cursor_text is not None,
            "hasPreviousPage": cursor_text is not None if forward else more,
            "startCursor": encode_cursor(records[0]["id"], key(records[0])[0]) if records else None,
            "endCursor": encode_cursor(records[-1]["id"], key(records[-1])[0]) if records else None,
        },
    }


def simple_page(items: list, args: dict, item_id=lambda item: item["id"], cap: int = MAX_PAGE) -> dict:
    """Paging over a short in-memory list (variants, media, line items, subscriptions) by position.
    ``cap`` is Shopify's 250 except inside a bulk operation, which returns every node."""
    forward, size, cursor_text = page_args(args, cap)
    start = 0
    if cursor_text:
        start = decode_cursor(cursor_text)[0] + 1
    ordered = list(reversed(items)) if bool(args.get("reverse")) != (not forward) else list(items)
    chunk = list(itertools.islice(ordered, start, start + size + 1))
    more = len(chunk) > size
    chunk = chunk[:size]
    positions = list(range(start, start + len(chunk)))
    if not forward:
        chunk.reverse()
        positions.reverse()

    def cursor(n: int) -> str:
        return encode_cursor(item_id(chunk[n]), positions[n])

    return {
        "records": chunk,
        "cursors": lambda: [cursor(n) for n in range(len(chunk))],
        "pageInfo": {
            "hasNextPage": more if forward else start > 0,
            "hasPreviousPage": start > 0 if forward else more,
            "startCursor": lambda info: cursor(0) if chunk else None,
            "endCursor": lambda info: cursor(-1) if chunk else None,
        },
    }
