"""Python project plumbing: uv workspace membership and dependencies, edited with tomlkit (reference §1.10–§1.11)."""

from __future__ import annotations

import tomlkit

from ..versions import pin
from .errors import UserError
from .names import distribution_name
from .projects import Project
from .tomlfile import merge_requirements, multiline_array, read_toml, table, write_toml
from .tree import Tree

ROOT_PYPROJECT = "pyproject.toml"


def _array(container, key: str):
    if key not in container:
        container[key] = multiline_array([])
    return container[key]


def add_workspace_member(tree: Tree, directory: str, dist: str) -> None:
    """Make ``directory`` a uv workspace member the root installs (``uv sync`` at the root gets it)."""
    if not tree.exists(ROOT_PYPROJECT):
        raise UserError(
            "The workspace has no root pyproject.toml, so it is not a uv workspace. "
            "Create the workspace with `nxaws new`, or add a pyproject.toml with [tool.uv.workspace]."
        )
    doc = read_toml(tree, ROOT_PYPROJECT)
    members = _array(table(doc, "tool", "uv", "workspace"), "members")
    if directory not in members:
        members.append(directory)
        members.multiline(True)
    merge_requirements(_array(table(doc, "project"), "dependencies"), [dist])
    sources = table(doc, "tool", "uv", "sources")
    if dist not in sources:
        sources[dist] = _workspace_source()
    write_toml(tree, ROOT_PYPROJECT, doc)


def _workspace_source():
    source = tomlkit.inline_table()
    source["workspace"] = True
    return source


def add_dependencies(tree: Tree, pyproject: str, names: list[str], *, group: str | None = None) -> None:
    """Add pinned third-party requirements from the versions table (existing ones are re-pinned in place)."""
    doc = read_toml(tree, pyproject)
    container = table(doc, "dependency-groups") if group else table(doc, "project")
    merge_requirements(_array(container, group or "dependencies"), [pin(name) for name in names])
    write_toml(tree, pyproject, doc)


def distribution_of(tree: Tree, project: Project) -> str:
    """The dependency's own ``[project].name`` (PEP 503-normalised), else its Nx name normalised."""
    path = project.path("pyproject.toml")
    if tree.exists(path):
        name = read_toml(tree, path).get("project", {}).get("name")
        if isinstance(name, str) and name:
            return distribution_name(name)
    return distribution_name(project.name)


def add_workspace_dependency(tree: Tree, dependent: Project, dependency: Project) -> None:
    """A bare requirement on a sibling member plus ``[tool.uv.sources] <dist> = { workspace = true }``."""
    path = dependent.path("pyproject.toml")
    if not tree.exists(path):
        return
    dist = distribution_of(tree, dependency)
    doc = read_toml(tree, path)
    dependencies = _array(table(doc, "project"), "dependencies")
    present = any(str(d) == dist or str(d).startswith((f"{dist}>=", f"{dist}==")) for d in dependencies)
    if not present:
        dependencies.append(dist)
        dependencies.multiline(True)
    sources = table(doc, "tool", "uv", "sources")
    if dict(sources.get(dist) or {}) != {"workspace": True}:
        sources[dist] = _workspace_source()
    write_toml(tree, path, doc)
