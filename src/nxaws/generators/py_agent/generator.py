"""``py#agent``: an agent of one of nxaws's frameworks behind a FastAPI server (reference §2, SPEC §4).

Everything framework-specific (templates, dependencies, the library layer its agents use) comes from the
framework's record in ``nxaws.frameworks``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ... import frameworks
from ...policy.settings import local_agent_principal
from ...workspace.errors import UserError
from ...workspace.metadata import add_component, assign_port
from ...workspace.projects import Workspace
from ...workspace.python import add_dependencies, add_workspace_dependency, distribution_of
from ...workspace.tree import Tree
from .. import Result
from ..components import add_infra, add_serve_targets, component_names, emit, python_project
from ..connection.library import ensure_library, library_module

FILES = Path(__file__).parent / "files"
ID = "py#agent"


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    project = python_project(workspace, options["project"], ID)
    try:
        framework = frameworks.get(options["framework"])
    except frameworks.UnknownFramework as exc:
        raise UserError(str(exc)) from None
    agent = component_names(project, options.get("name"), "agent")
    library = ensure_library(tree, workspace, framework)
    port = assign_port(workspace, project, 8081, component=(ID, agent.prefix))
    variables = {
        "module": agent.module, "snake": agent.snake, "class_name": agent.rc, "port": port, "name": agent.prefix,
        "connection_module": library_module(workspace), "dist": distribution_of(tree, project),
        "python": (tree.read_text(".python-version") or "3.11").strip(),
    }  # fmt: skip
    emit(tree, framework.agent_files, agent.directory, variables)
    if options["infra"] == "agentcore":
        emit(tree, FILES / "infra", agent.directory, variables, python=False)

    command = f"uv run uvicorn {agent.module}.{agent.snake}.main:app --host 127.0.0.1 --port {port}"
    add_serve_targets(project, agent.prefix, command, port, principal=local_agent_principal(agent.rc))
    record = {"port": port, "rc": agent.rc, "auth": options["auth"], "protocol": "http", "framework": framework.name}
    add_component(project, ID, agent.path, agent.prefix, **record)
    workspace.save(project)

    add_dependencies(tree, project.path("pyproject.toml"), list(framework.agent_dependencies))
    add_workspace_dependency(tree, project, library)
    result = Result(install={"uv"}, next_steps=[f"Run the agent locally: npx nx run {project.name}:{agent.prefix}-dev"])
    return result.merge(add_infra(tree, project, ID, agent.prefix, options))
