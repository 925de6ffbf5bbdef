"""Which way imports may go at the web/API edge: the JSON API and the dashboard share the scope helper
(`app.auth_scope`) and the error mapping (`app.errors`) but never import each other, and the error base
(`app.problems`) sits below everything, importing nothing of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _ours(names: set[str]) -> set[str]:
    return {n for n in names if n == "app" or n.startswith(("app.", "agent_tools"))}


@pytest.mark.parametrize(("package", "forbidden"), [("app/api", "app.web"), ("app/web", "app.api")])
def test_the_api_and_the_dashboard_do_not_import_each_other(package, forbidden):
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n for n in _imports(path) if n == forbidden or n.startswith(forbidden + ".")
        )
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_error_base_imports_nothing_of_ours():
    assert _ours(_imports(ROOT / "app" / "problems.py")) == set()


def test_the_scope_helper_imports_only_the_models_scope():
    assert _ours(_imports(ROOT / "app" / "auth_scope.py")) == {
        "app.models.scoping",
        "app.models.scoping.WorkspaceScope",
    }
