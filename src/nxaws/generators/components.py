"""What component generators (agents, MCP servers) share: the host project check and serve targets."""

from __future__ import annotations

from typing import Any

from ..workspace.errors import UserError
from ..workspace.jsonfile import TARGET_KEY_ORDER, ordered
from ..workspace.projects import Project, Workspace


def python_project(workspace: Workspace, name: str, generator_id: str) -> Project:
    """The project a component goes in: it must be a Python project with a source root."""
    project = workspace.get(name)
    if not project.source_root:
        raise UserError(
            f"Project '{project.name}' has no sourceRoot, so there is no Python package to add the "
            f'{generator_id} to. Add "sourceRoot" to its project.json, or create the project with '
            "`nxaws g py#project`."
        )
    if not workspace.tree.exists(project.path("pyproject.toml")):
        raise UserError(
            f"Project '{project.name}' is not a Python project (no pyproject.toml in {project.root}). "
            "Pick a project made with `nxaws g py#project`."
        )
    return project


def serve_target(command: str, port: int, *, dev: bool) -> dict[str, Any]:
    env = {"PORT": str(port)} | ({"LOCAL_DEV": "true"} if dev else {})
    target = {"executor": "nx:run-commands", "continuous": True,
              "options": {"commands": [command], "cwd": "{projectRoot}", "env": env}}  # fmt: skip
    return ordered(target, TARGET_KEY_ORDER)
