"""The rooms of the house import one way: each room may import only rooms below it in `LAYERS`.

Read from the source with `ast`, so an import inside a function counts like one at the top of a file
(a function-level import that only dodges a cycle is still the cycle). Only the process entry points (the
factory, the CLI, the workers) import inside functions, to load a room when its command or process runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module belongs to the first entry whose name is it or a package above it.
LAYERS: list[tuple[str, ...]] = [
    # the error base, the JSON error shape, id lists cut to what a statement binds: import nothing of ours
    ("app.problems", "app.json_errors", "app.id_chunks"),
    ("app.params",),  # parameter types, raising the error base
    ("app.extensions", "app.config", "app.access_log", "app.body_limit", "app.security_headers"),
    ("app.models",),
    ("app.auth_scope",),  # who is asking: the scope of the logged-in user or of the API token
    ("app.platforms",),
    ("app.queues",),
    ("app.integrations",),
    ("app.catalog",),
    ("app.inventory",),
    ("app.sync",),
    ("app.messaging",),  # WhatsApp follow-up: customers, consent, outbox, templates, automations
    ("app.webhooks",),
    ("agent_tools",),
    ("app.services",),
    ("app.agent",),
    # The stand-ins for Shopify and for WhatsApp: neither imports the other.
    ("app.demo_store", "app.demo_phone"),
    ("app.api", "app.web", "app.mcp"),  # side by side: none imports another
    ("app.errors", "app.housekeeping", "app.schedule"),
    ("app", "app.cli", "app.worker"),  # process entry points: the factory, the CLI, the workers
]

# Rooms whose modules may import each other inside functions and in loops: the demo store is the in-repo
# fake Shopify (a stand-in for the platform, not product code), whose GraphQL node builders refer to each
# other the way Shopify's graph does (a product's collections, a collection's products).
FAKE_PLATFORM = "app.demo_store"


def _modules() -> dict[str, Path]:
    found = {}
    for path in [*ROOT.glob("app/**/*.py"), *ROOT.glob("agent_tools/**/*.py")]:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _room(module: str) -> tuple[int, str]:
    best = None
    for rank, names in enumerate(LAYERS):
        for name in names:
            inside = module == name or module.startswith(name + ".")
            if inside and (best is None or len(name) > len(best[1])):
                best = (rank, name)
    assert best is not None, f"{module} belongs to no room in LAYERS"
    return best


def _imports(module: str, path: Path, known: set[str]):
    """(imported module, line, inside a function) for each import of one of our modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner.update(id(sub) for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom)))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            submodules = [
                f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in known
            ]
            # `from app.x import y` imports the module app.x.y when there is one, else a name of app.x.
            names = submodules if len(submodules) == len(node.names) else [source, *submodules]
        else:
            continue
        for target in sorted(name for name in names if name in known):
            yield target, node.lineno, id(node) in inner


def _edges():
    modules = _modules()
    for module, path in sorted(modules.items()):
        for target, line, lazy in _imports(module, path, set(modules)):
            yield module, target, line, lazy


def test_every_import_points_down_the_layers():
    wrong = []
    for module, target, line, _lazy in _edges():
        (rank, room), (target_rank, target_room) = _room(module), _room(target)
        if room == target_room:
            continue
        entry = rank == len(LAYERS) - 1 and target_rank == rank
        if target_rank > rank or (target_rank == rank and not entry):
            wrong.append(f"{module}:{line} imports {target} ({room} may not import {target_room})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_no_function_level_import_dodges_a_cycle():
    lazy = sorted(
        f"{module}:{line} imports {target}"
        for module, target, line, is_lazy in _edges()
        if is_lazy and _room(module)[1] != FAKE_PLATFORM and _room(module)[0] < len(LAYERS) - 1
    )
    assert not lazy, "imports inside functions (make them top-level):\n" + "\n".join(lazy)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_round_about():
    edges: dict[str, set[str]] = {}
    for module, target, _line, _lazy in _edges():
        if _room(module)[0] == len(LAYERS) - 1 or _room(module)[1] == FAKE_PLATFORM:
            continue
        if target.startswith(module + "."):
            continue  # a blueprint package importing its routes at its foot, as Flask's own pattern does
        edges.setdefault(module, set()).add(target)
    assert _cycles(edges) == []
