"""Follow a products list's keyset cursor to the end, as the Products page's "next" links do."""

from __future__ import annotations

from collections.abc import Callable

from app.models.scoping import WorkspaceScope
from app.services import products as service


def walk(workspace, sort: str, limit: int, key: Callable = lambda p: p.id, max_pages: int = 100) -> list:
    scope, seen, cursor = WorkspaceScope(workspace.id), [], ""
    for _ in range(max_pages):
        page = service.list_products(
            scope, service.parse_params({"sort": sort, "limit": str(limit), "cursor": cursor})
        )
        seen += [key(p) for p in page.products]
        cursor = page.next_cursor
        if not cursor:
            return seen
    raise AssertionError("the pages never ended")
