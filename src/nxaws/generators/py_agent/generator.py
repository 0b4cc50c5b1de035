"""``py#agent``: a Strands or LangChain agent behind a FastAPI server (reference §2, SPEC §4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...workspace.metadata import add_component, assign_port
from ...workspace.projects import Workspace
from ...workspace.python import add_dependencies, add_workspace_dependency, distribution_of
from ...workspace.tree import Tree
from .. import Result
from ..agent_connection_project import connection_module, ensure_agent_connection
from ..components import add_infra, add_serve_targets, component_names, emit, python_project

FILES = Path(__file__).parent / "files"
ID = "py#agent"
DEPENDENCIES = {
    "strands": ["boto3", "fastapi", "strands-agents", "uvicorn"],
    "langchain": ["fastapi", "langchain", "langchain-aws", "langgraph", "uvicorn"],
}


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    project = python_project(workspace, options["project"], ID)
    framework = options.get("framework", "strands")
    agent = component_names(project, options.get("name"), "agent")
    agent_connection = ensure_agent_connection(
        tree, workspace, ["base", "strands"] if framework == "strands" else ["base"]
    )
    port = assign_port(workspace, project, 8081, component=(ID, agent.prefix))
    variables = {
        "module": agent.module, "snake": agent.snake, "class_name": agent.rc, "port": port, "name": agent.prefix,
        "connection_module": connection_module(workspace), "dist": distribution_of(tree, project),
        "python": (tree.read_text(".python-version") or "3.11").strip(),
    }  # fmt: skip
    emit(tree, FILES / framework, agent.directory, variables)
    if options.get("infra", "agentcore") == "agentcore":
        emit(tree, FILES / "infra", agent.directory, variables, python=False)

    command = f"uv run uvicorn {agent.module}.{agent.snake}.main:app --host 127.0.0.1 --port {port}"
    add_serve_targets(project, agent.prefix, command, port)
    record = {"port": port, "rc": agent.rc, "auth": options.get("auth", "iam"), "protocol": "http",
              "framework": framework}  # fmt: skip
    add_component(project, ID, agent.path, agent.prefix, **record)
    workspace.save(project)

    add_dependencies(tree, project.path("pyproject.toml"), DEPENDENCIES[framework])
    add_workspace_dependency(tree, project, agent_connection)
    result = Result(install={"uv"}, next_steps=[f"Run the agent locally: npx nx run {project.name}:{agent.prefix}-dev"])
    return result.merge(add_infra(tree, project, ID, agent.prefix, options))
