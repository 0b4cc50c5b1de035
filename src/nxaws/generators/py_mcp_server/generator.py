"""``py#mcp-server``: an MCP server on the official SDK, streamable HTTP at ``/mcp`` (reference §5)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ...workspace.metadata import add_component, add_component_dev_target, assign_port
from ...workspace.names import class_name, kebab_case, snake_case
from ...workspace.projects import Workspace
from ...workspace.python import add_dependencies, distribution_of
from ...workspace.tree import Tree
from .. import Result
from ..components import python_project, serve_target
from ..templates import render_dir

FILES = Path(__file__).parent / "files"
ID = "py#mcp-server"


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    project = python_project(workspace, options["project"], ID)
    module = PurePosixPath(project.source_root or "").name
    given = options.get("name")
    name = kebab_case(given) if given else kebab_case(f"{kebab_case(project.name.split('.')[-1])}-mcp-server")
    prefix = name if given else "mcp-server"
    snake = snake_case(given or "mcp-server")
    rc = class_name(name)

    port = assign_port(workspace, project, 8000, component=(ID, prefix))
    variables = {"module": module, "snake": snake, "class_name": rc, "dist": distribution_of(tree, project),
                 "python": (tree.read_text(".python-version") or "3.11").strip()}  # fmt: skip
    server_dir = f"{project.root}/{module}/{snake}"
    for rel, text in render_dir(FILES / "app", variables).items():
        tree.write_if_absent(f"{server_dir}/{rel}", text, format=True)
    if options.get("infra", "agentcore") == "agentcore":
        for rel, text in render_dir(FILES / "infra", variables).items():
            tree.write_if_absent(f"{server_dir}/{rel}", text)

    command = f"uv run uvicorn {module}.{snake}.server:app --host 127.0.0.1 --port {port}"
    targets = project.targets
    targets.setdefault(f"{prefix}-serve", serve_target(command, port, dev=False))
    targets.setdefault(f"{prefix}-dev", serve_target(command, port, dev=True))
    add_component_dev_target(project, f"{prefix}-dev")
    project.config["targets"] = dict(sorted(targets.items()))
    add_component(project, ID, f"{module}/{snake}", prefix, port=port, rc=rc, auth=options.get("auth", "iam"))
    workspace.save(project)
    add_dependencies(tree, project.path("pyproject.toml"), ["mcp", "uvicorn"])
    result = Result(
        install={"uv"},
        next_steps=[f"Serve it locally: npx nx run {project.name}:{prefix}-dev (MCP at http://localhost:{port}/mcp)"],
    )
    if options.get("infra", "agentcore") == "agentcore":
        from ..py_infra.generator import add_component_infra

        result.merge(add_component_infra(tree, project.name, ID, prefix, options.get("iac")))
    return result
