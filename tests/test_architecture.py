"""The shape of ``src/nxaws``: imports run one way, modules stay short, and the README's map matches it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "nxaws"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    """Dotted module name → file, for every Python module of nxaws (generated-code templates excluded)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "files" in path.relative_to(PACKAGE).parts:
            continue
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(module: str, node: ast.ImportFrom | ast.Import, is_package: bool) -> list[str]:
    """The nxaws modules an import statement in ``module`` names (``from . import x`` may name a submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level else []
    target = ".".join([*base, *(node.module.split(".") if node.module else [])])
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def import_graph() -> dict[str, set[str]]:
    """Every import of every nxaws module, function-level ones included (a lazy import is still an arrow)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges.update(t for t in _resolve(name, node, is_package) if t in modules and t != name)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_walker_sees_imports_and_finds_a_planted_cycle() -> None:
    graph = import_graph()
    assert "nxaws.generators.connection.candidates" in graph["nxaws.generators.connection.agent_gateway"]
    assert "nxaws.codemods.agent_py" in graph["nxaws.generators.connection.agent_gateway"]
    assert _cycles({**graph, "nxaws.options": graph["nxaws.options"] | {"nxaws.cli"}}) != []


def test_no_import_cycles() -> None:
    assert _cycles(import_graph()) == []


def test_modules_stay_short() -> None:
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"## Project layout\s+```\n(.*?)```", readme, re.S)
    assert match, "README.md has a '## Project layout' section with a code block"
    return match.group(1)


def test_readme_layout_names_only_paths_that_exist() -> None:
    paths = re.findall(r"(?:src|tests|bench)/[\w/.<>]*", _layout_block())
    assert paths
    for path in paths:
        concrete = re.sub(r"/<[^>]+>.*$", "", path).rstrip("/")
        assert (ROOT / concrete).exists(), path


@pytest.mark.parametrize("entry", sorted(p.name for p in PACKAGE.iterdir() if not p.name.startswith("__")))
def test_readme_layout_maps_every_part_of_the_package(entry: str) -> None:
    assert f"src/nxaws/{entry}" in _layout_block() or f"src/nxaws/{Path(entry).stem}" in _layout_block()


def test_every_generator_is_one_folder() -> None:
    from nxaws.generators import GENERATORS, WORKSPACE_GENERATORS

    for folder in {**GENERATORS, **WORKSPACE_GENERATORS}.values():
        here = PACKAGE / "generators" / folder
        assert (here / "schema.json").is_file() and (here / "generator.py").is_file(), folder
    stray = [p.name for p in (PACKAGE / "generators").iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert sorted(stray) == sorted({*GENERATORS.values(), *WORKSPACE_GENERATORS.values()})
