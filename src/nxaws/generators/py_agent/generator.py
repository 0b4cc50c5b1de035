"""``py#agent``: a Strands or LangChain agent behind a FastAPI server (reference §2, SPEC §4)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ...workspace.metadata import add_component, add_component_dev_target, assign_port
from ...workspace.names import class_name, kebab_case, snake_case
from ...workspace.projects import Workspace
from ...workspace.python import add_dependencies, add_workspace_dependency, distribution_of
from ...workspace.tree import Tree
from .. import Result
from ..agent_connection_project import connection_module, ensure_agent_connection
from ..components import python_project, serve_target
from ..templates import render_dir

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
    module = PurePosixPath(project.source_root or "").name
    given = options.get("name")
    name = kebab_case(given) if given else kebab_case(f"{kebab_case(project.name.split('.')[-1])}-agent")
    prefix = name if given else "agent"
    snake = snake_case(given or "agent")
    rc = class_name(name)

    agent_connection = ensure_agent_connection(
        tree, workspace, ["base", "strands"] if framework == "strands" else ["base"]
    )
    port = assign_port(workspace, project, 8081, component=(ID, prefix))
    variables = {
        "module": module, "snake": snake, "class_name": rc, "port": port, "name": prefix,
        "connection_module": connection_module(workspace), "dist": distribution_of(tree, project),
        "python": (tree.read_text(".python-version") or "3.11").strip(),
    }  # fmt: skip
    agent_dir = f"{project.root}/{module}/{snake}"
    for rel, text in render_dir(FILES / framework, variables).items():
        tree.write_if_absent(f"{agent_dir}/{rel}", text, format=True)
    if options.get("infra", "agentcore") == "agentcore":
        for rel, text in render_dir(FILES / "infra", variables).items():
            tree.write_if_absent(f"{agent_dir}/{rel}", text)

    command = f"uv run uvicorn {module}.{snake}.main:app --host 127.0.0.1 --port {port}"
    targets = project.targets
    targets.setdefault(f"{prefix}-serve", serve_target(command, port, dev=False))
    targets.setdefault(f"{prefix}-dev", serve_target(command, port, dev=True))
    add_component_dev_target(project, f"{prefix}-dev")
    project.config["targets"] = dict(sorted(targets.items()))
    record = {"port": port, "rc": rc, "auth": options.get("auth", "iam"), "protocol": "http",
              "framework": framework}  # fmt: skip
    add_component(project, ID, f"{module}/{snake}", prefix, **record)
    workspace.save(project)

    add_dependencies(tree, project.path("pyproject.toml"), DEPENDENCIES[framework])
    add_workspace_dependency(tree, project, agent_connection)
    result = Result(install={"uv"}, next_steps=[f"Run the agent locally: npx nx run {project.name}:{prefix}-dev"])
    if options.get("infra", "agentcore") == "agentcore":
        from ..py_infra.generator import add_component_infra

        result.merge(add_component_infra(tree, project.name, ID, prefix, options.get("iac")))
    return result
