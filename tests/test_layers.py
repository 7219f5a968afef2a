"""Data walks one way: loaders -> graph store -> cypher -> semantics -> api, with the settings below all.

Read from the source files' import statements (top level and inside functions alike), so a lazy import
that crosses a layer is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> the project packages it must never import
FORBIDDEN = {
    "graph": {"ownergraph.loaders", "ownergraph.api", "ownergraph.screening", "ownergraph.cli"},
    "loaders": {"ownergraph.api", "ownergraph.screening", "ownergraph.cli"},
    "ownergraph/screening": {"ownergraph.api", "ownergraph.cli"},
    "cypher": {"ownergraph.graph", "ownergraph.loaders", "ownergraph.api", "ownergraph.screening"},
}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package):
    crossing = sorted(
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in imported(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package])
    )
    assert crossing == []


def test_settings_import_nothing_of_the_project():
    assert {n for n in imported(ROOT / "ownergraph" / "settings.py") if n.startswith("ownergraph")} == set()
