"""``py#project``: a Python project that is a member of the root uv workspace (reference §1)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ...options import complete_options
from ...workspace.errors import UserError
from ...workspace.jsonfile import TARGET_KEY_ORDER, ordered
from ...workspace.metadata import set_generator_metadata
from ...workspace.names import distribution_name, snake_case
from ...workspace.projects import Project, Workspace
from ...workspace.python import add_workspace_member
from ...workspace.tree import Tree
from .. import Result
from ..templates import render_dir

FILES = Path(__file__).parent / "files"
ID = "py#project"


@dataclass(frozen=True)
class PyProjectNames:
    id: str  # Nx project name, dotted: acme.agents
    module: str  # acme_agents
    dist: str  # acme-agents
    directory: str  # packages/agents


def names(workspace: Workspace, options: dict[str, Any]) -> PyProjectNames:
    normalized = snake_case(options["name"])
    if not normalized:
        raise UserError(f"'{options['name']}' has no letters or digits to name a project with.")
    module = snake_case(options.get("moduleName") or f"{workspace.py_scope}_{normalized}")
    project_id = f"{workspace.py_scope}.{normalized}"
    directory = PurePosixPath(options["directory"], options.get("subDirectory") or normalized)
    return PyProjectNames(project_id, module, distribution_name(project_id), str(directory))


def _targets(names: PyProjectNames) -> dict[str, Any]:
    run = "nx:run-commands"
    return {
        "build": {
            "executor": run,
            "dependsOn": ["lint", "test"],
            "outputs": ["{workspaceRoot}/dist/{projectRoot}"],
            "options": {"command": f"uv build --package {names.dist} --out-dir dist/{{projectRoot}}"},
        },
        "format": {
            "executor": run,
            "cache": True,
            "options": {"command": "uv run ruff format --check {projectRoot}"},
            "configurations": {"fix": {"command": "uv run ruff format {projectRoot}"}},
        },
        "lint": {
            "executor": run,
            "cache": True,
            "options": {"command": "uv run ruff check {projectRoot}"},
            "configurations": {"fix": {"command": "uv run ruff check --fix {projectRoot}"}},
        },
        "test": {
            "executor": run,
            "options": {"command": "uv run pytest tests", "cwd": "{projectRoot}"},
        },
    }


def ensure_python_project(tree: Tree, workspace: Workspace, options: dict[str, Any]) -> Project:
    """Create the project if it is missing; on a re-run only fill in what is absent."""
    options = complete_options(ID, options)
    n = names(workspace, options)
    existing = workspace.find(n.id)
    if existing is not None and existing.root != n.directory:
        return existing
    python = (tree.read_text(".python-version") or "3.11").strip() or "3.11"
    variables = {"id": n.id, "module": n.module, "dist": n.dist, "python": python,
                 "type": options["type"]}  # fmt: skip
    for rel, text in render_dir(FILES, variables).items():
        tree.write_if_absent(f"{n.directory}/{rel}", text, format=rel.endswith(".py"))
    project = existing or Project(f"{n.directory}/project.json", {})
    config = project.config
    config.setdefault("name", n.id)
    config.setdefault("$schema", _schema_path(n.directory))
    config.setdefault("root", n.directory)
    config.setdefault("sourceRoot", f"{n.directory}/{n.module}")
    config.setdefault("projectType", options["type"])
    config.setdefault("tags", [])
    targets = project.targets
    for name, target in _targets(n).items():
        targets.setdefault(name, ordered(target, TARGET_KEY_ORDER))
    set_generator_metadata(project, ID)
    workspace.add(project)
    add_workspace_member(tree, n.directory, n.dist)
    return project


def _schema_path(directory: str) -> str:
    depth = len(PurePosixPath(directory).parts)
    return "../" * depth + "node_modules/nx/schemas/project-schema.json"


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    project = ensure_python_project(tree, workspace, options)
    return Result(install={"uv"}, next_steps=[f"Run its tests: npx nx run {project.name}:test"])
