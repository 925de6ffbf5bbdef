"""Collections as GraphQL objects, and the root ``collections`` / ``collection`` fields.

``ruleSet`` (deprecated in 2026-10 for ``sources``, still served) is null for a custom collection and holds
the rules of a smart one. ``products`` pages the current members (`collections.members`). The root
``collections(query:)`` understands ``collection_type:custom|smart`` and ``title:``; other terms are
ignored, as Shopify ignores unknown search fields.
"""

from __future__ import annotations

import shlex

from app.demo_store import catalog, collections, listing
from app.demo_store.nodes import connection, count, empty_connection, list_connection, product_node


def collection_node(ctx, c: dict) -> dict:
    def members() -> list[dict]:
        found = collections.members(c, ctx.view)
        ctx.prefetch_inventory(found)
        return found

    rule_set = None
    if c["rules"] is not None:
        rule_set = {
            "appliedDisjunctively": c["disjunctive"],
            "rules": [
                {"column": col, "relation": rel, "condition": cond, "conditionObject": None}
                for col, rel, cond in c["rules"]
            ],  # fmt: skip
        }
    return {
        "__typename": "Collection",
        "id": catalog.gid("Collection", c["id"]),
        "legacyResourceId": str(c["id"]),
        "title": c["title"],
        "handle": c["handle"],
        "descriptionHtml": c["description_html"],
        "description": lambda info, truncateAt=None: listing_text(c["description_html"])[
            : truncateAt or None
        ],
        "sortOrder": c["sort_order"],
        "templateSuffix": None,
        "updatedAt": c["updated_at"],
        "ruleSet": rule_set,
        "sources": [],
        "seo": {"title": None, "description": None},
        "image": None,
        "productsCount": lambda info: count(len(members())),
        "products": list_connection(members, lambda r: product_node(ctx, r)),
        "hasProduct": lambda info, id: any(catalog.gid("Product", r["id"]) == id for r in members()),
        "metafield": None,
        "metafields": empty_connection,
    }


def listing_text(html: str) -> str:
    from app.demo_store.nodes import TAGS_RE

    return " ".join(TAGS_RE.sub(" ", html).split())


def _matches(c: dict, query: str | None) -> bool:
    if not query:
        return True
    try:
        terms = shlex.split(query)
    except ValueError:
        terms = query.split()
    for term in terms:
        name, _, value = term.partition(":")
        if name == "collection_type" and value.lower() != c["kind"]:
            return False
        if name == "title" and value.strip("*").lower() not in c["title"].lower():
            return False
        if name == "id" and value.rsplit("/", 1)[-1] != str(c["id"]):
            return False
    return True


def collections_field(info, query=None, **args):
    ctx = info.context
    found = [c for c in collections.for_kind(ctx.view.kind) if _matches(c, query)]
    cap = listing.MAX_PAGE
    if ctx.bulk and info.path.prev is None:
        # A bulk operation pages the root itself: one pass holds every collection.
        args, cap = {"first": len(found)}, max(len(found), cap)
        ctx.bulk_next = None
    page = listing.simple_page(found, args, cap=cap)
    return connection(info, page, lambda c: collection_node(ctx, c))


def collection_field(info, id):
    return collection_by_gid(info.context, id)


def collection_by_gid(ctx, value: str):
    found = collections.find(ctx.view.kind, catalog.parse_gid(value, "Collection"))
    return collection_node(ctx, found) if found else None


def collections_count(info, query=None, limit=None, **_):
    return count(sum(1 for c in collections.for_kind(info.context.view.kind) if _matches(c, query)))
