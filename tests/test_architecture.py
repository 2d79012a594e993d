"""The shape of the code: stage packages, dependencies one way, no import cycles, Whoosh,
click and Flask each behind their own door."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "barcamp_search"
# What each part may import of ours (the shared model, errors, config and facet registry
# are everybody's); nothing imports cli or web but the entry point, __main__.
SHARED = {"model", "archive", "errors", "config", "facets", "__init__"}
ALLOWED = {
    "__main__": {"cli"},
    "read": {"read"},
    "indexer": {"indexer", "read"},
    "search": {"search", "indexer"},
    "cli": {"cli", "read", "indexer", "search", "web"},
    "web": {"web", "read", "indexer", "search"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module imported anywhere in the file (functions and TYPE_CHECKING included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in imports_of(path):
            if target in modules and target != name:
                edges[name].add(target)
    return {name: edges[name] for name in modules}


def stage(module: str) -> str:
    """``barcamp_search.search.engine`` -> ``search``; top-level modules by their name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle_between_modules():
    assert find_cycle(graph()) is None


def test_stages_depend_one_way_and_have_no_cycle():
    edges = graph()
    packages: dict[str, set[str]] = defaultdict(set)
    wrong = []
    for module, targets in edges.items():
        here = stage(module)
        for target in targets:
            there = stage(target)
            if there in SHARED or there == here:
                continue
            packages[here].add(there)
            if here in SHARED or there not in ALLOWED.get(here, set()):
                wrong.append(f"{module} -> {target}")
    assert wrong == []
    assert find_cycle(dict(packages)) is None
    assert set(ALLOWED) - {"__main__"} <= {
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()
    }


def test_libraries_stay_behind_their_doors():
    doors = {
        "whoosh": ("indexer", "search"),
        "click": ("cli",),
        "flask": ("web",),
        "werkzeug": ("web",),
        "gunicorn": ("web",),
        "jinja2": ("web",),
        "markupsafe": ("web",),
    }
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        module = module_name(path)
        for imported in imports_of(path):
            library = imported.split(".")[0]
            if library in doors and stage(module) not in doors[library]:
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_whoosh_internals_only_in_the_boundary():
    """Private Whoosh names (``._name`` on Whoosh objects, ``whoosh... import _x``) appear
    in indexer/whoosh_private.py only."""
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "whoosh_private.py" or "whoosh" not in path.read_text():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
                wrong += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert wrong == []


def test_core_imports_neither_flask_nor_click():
    code = (
        "import sys, barcamp_search.read.extract, barcamp_search.indexer.build, "
        "barcamp_search.search, barcamp_search.config, barcamp_search.facets; "
        "print(sorted(m for m in ('flask', 'click', 'werkzeug', 'gunicorn') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
