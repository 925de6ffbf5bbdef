"""Imports inside the sync area flow one way (jobs -> runner -> bulk/units/writers/lifecycle, service beside the
runner) and none hides inside a function; the integrations package, which sync uses for its clients, imports
nothing of sync."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "app"


def _imports(path: Path) -> tuple[set[str], list[int]]:
    """Modules of ours `path` imports at module level, and the lines of imports inside functions."""
    tree = ast.parse(path.read_text())
    top: set[str] = set()
    nested: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested += [n.lineno for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
            top.add(node.module)
            top.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            top.update(alias.name for alias in node.names if alias.name.startswith("app"))
    return top, nested


def test_sync_modules_import_each_other_one_way_and_never_inside_functions():
    modules = {f"app.sync.{p.stem}": p for p in (ROOT / "sync").glob("*.py") if p.stem != "__init__"}
    graph, nested = {}, {}
    for name, path in modules.items():
        top, inner = _imports(path)
        graph[name] = {m for m in top if m in modules and m != name}
        if inner:
            nested[name] = inner
    assert nested == {}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message names the cycle
        raise AssertionError(f"import cycle in app.sync: {exc.args[1]}") from exc
    assert order.index("app.sync.runner") < order.index("app.sync.jobs")
    assert order.index("app.sync.bulk") < order.index("app.sync.runner")
    assert "app.sync.runner" not in graph["app.sync.service"]


def test_integrations_import_nothing_of_sync():
    for path in (ROOT / "integrations").glob("*.py"):
        names = [
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (node.names if isinstance(node, ast.Import) else [None])
        ]
        assert [n for n in names if n and n.startswith("app.sync")] == [], path.name
