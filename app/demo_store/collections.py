"""Collections of the awkward catalog, custom and smart, and which products each one holds. Plain data only.

A custom collection lists product indices (in its manual order); a smart one has Shopify's rule set
(``TAG``/``VENDOR``/``TYPE``/``TITLE`` with ``EQUALS``/``CONTAINS``/``NOT_EQUALS``, all rules or any
rule), evaluated on the products' current records, so a product changed to carry the tag joins at once.
Members are listed in product-index order for smart collections. The uniform catalog has none.
"""

from __future__ import annotations

from app.demo_store import catalog

COLLECTION_BASE = 480_000_000_000
EPOCH = catalog.iso(catalog.CATALOG_EPOCH)


def _collection(n: int, title: str, handle: str, *, products=None, rules=None, any_rule=False) -> dict:
    return {
        "id": COLLECTION_BASE + n + 1,
        "title": title,
        "handle": handle,
        "description_html": f"<p>{title}</p>",
        "kind": "custom" if rules is None else "smart",
        "products": products,
        "rules": rules,
        "disjunctive": any_rule,
        "sort_order": "MANUAL" if rules is None else "BEST_SELLING",
        "updated_at": EPOCH,
    }


AWKWARD = (
    _collection(0, "Summer ☀️ picks", "summer-picks", products=[5, 0, 3, 1, 9]),
    _collection(1, "Staff favourites", "staff-favourites", products=[1, 2, 5]),
    _collection(2, "On sale", "on-sale", rules=[("TAG", "EQUALS", "sale")]),
    _collection(
        3,
        "Kestrel or footwear",
        "kestrel-or-footwear",
        rules=[("VENDOR", "EQUALS", "Kestrel"), ("TYPE", "EQUALS", "Footwear")],
        any_rule=True,
    ),  # fmt: skip
    _collection(4, "Empty for now", "empty-for-now", rules=[("TITLE", "CONTAINS", "Nothing matches this")]),
)


def for_kind(kind: str) -> list[dict]:
    return list(AWKWARD) if kind == "awkward" else []


def find(kind: str, numeric_id: int | None) -> dict | None:
    return next((c for c in for_kind(kind) if c["id"] == numeric_id), None)


def _rule_holds(record: dict, column: str, relation: str, condition: str) -> bool:
    values = {
        "TAG": record["tags"],
        "VENDOR": [record["vendor"]],
        "TYPE": [record["product_type"]],
        "TITLE": [record["title"]],
    }[column]
    if relation == "EQUALS":
        return any(v.lower() == condition.lower() for v in values)
    if relation == "NOT_EQUALS":
        return all(v.lower() != condition.lower() for v in values)
    if relation == "CONTAINS":
        return any(condition.lower() in v.lower() for v in values)
    raise ValueError(f"the demo store does not evaluate {relation}")


def holds(collection: dict, record: dict) -> bool:
    if collection["rules"] is None:
        return record["index"] in collection["products"]
    results = (_rule_holds(record, *rule) for rule in collection["rules"])
    return any(results) if collection["disjunctive"] else all(results)


def members(collection: dict, view) -> list[dict]:
    """The current product records of ``collection`` in a `ShopView`, in the collection's order."""
    if collection["rules"] is None:
        records = (view.product(i) for i in collection["products"])
        return [r for r in records if r is not None]
    records = (view.product(i) for i in range(view.product_count))
    return [r for r in records if r is not None and holds(collection, r)]


def of_product(kind: str, record: dict) -> list[dict]:
    return [c for c in for_kind(kind) if holds(c, record)]
