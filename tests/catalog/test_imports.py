"""`app.catalog` sits low in the house: it imports models, extensions, params and the error base, and nothing that calls it
(services, web, api, agent tools, sync, webhooks, inventory), so every door can use it without a cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import app.catalog

ALLOWED = ("app.catalog", "app.models", "app.extensions", "app.params", "app.problems")
CALLERS = ("app.services", "app.web", "app.api", "agent_tools", "app.sync", "app.webhooks", "app.inventory")


def _own_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n == "app" or n.startswith(("app.", "agent_tools"))}


def test_catalog_modules_import_only_models_extensions_and_params():
    package = Path(app.catalog.__file__).parent
    found = {path.name: _own_imports(path) for path in sorted(package.glob("*.py"))}
    assert {"listing.py", "matches.py", "search.py", "stock.py"} <= set(found)
    wrong = {name: sorted(n for n in names if not n.startswith(ALLOWED)) for name, names in found.items()}
    assert {name: names for name, names in wrong.items() if names} == {}


def test_loading_the_catalog_loads_none_of_its_callers():
    code = (
        "import sys, app.catalog.listing, app.catalog.search, app.catalog.stock\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith(('app.', 'agent_tools')))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert [m for m in loaded.split() if m.startswith(CALLERS)] == []
