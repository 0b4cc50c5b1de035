"""``py#mcp-server``: an MCP server on the official SDK, streamable HTTP at ``/mcp`` (reference §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...workspace.metadata import add_component, assign_port
from ...workspace.projects import Workspace
from ...workspace.python import add_dependencies, distribution_of
from ...workspace.tree import Tree
from .. import Result
from ..components import add_infra, add_serve_targets, component_names, emit, python_project

FILES = Path(__file__).parent / "files"
ID = "py#mcp-server"


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    project = python_project(workspace, options["project"], ID)
    server = component_names(project, options.get("name"), "mcp-server")
    port = assign_port(workspace, project, 8000, component=(ID, server.prefix))
    variables = {"module": server.module, "snake": server.snake, "class_name": server.rc,
                 "dist": distribution_of(tree, project),
                 "python": (tree.read_text(".python-version") or "3.11").strip()}  # fmt: skip
    emit(tree, FILES / "app", server.directory, variables)
    if options["infra"] == "agentcore":
        emit(tree, FILES / "infra", server.directory, variables, python=False)

    command = f"uv run uvicorn {server.module}.{server.snake}.server:app --host 127.0.0.1 --port {port}"
    add_serve_targets(project, server.prefix, command, port)
    add_component(project, ID, server.path, server.prefix, port=port, rc=server.rc, auth=options["auth"])
    workspace.save(project)
    add_dependencies(tree, project.path("pyproject.toml"), ["mcp", "uvicorn"])
    result = Result(
        install={"uv"},
        next_steps=[
            f"Serve it locally: npx nx run {project.name}:{server.prefix}-dev (MCP at http://localhost:{port}/mcp)"
        ],
    )
    return result.merge(add_infra(tree, project, ID, server.prefix, options))
