"""What component generators (agents, MCP servers) share: the host project check and serve targets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..workspace.errors import UserError
from ..workspace.jsonfile import TARGET_KEY_ORDER, ordered
from ..workspace.metadata import add_component_dev_target
from ..workspace.names import class_name, kebab_case, snake_case
from ..workspace.projects import Project, Workspace
from ..workspace.tree import Tree
from . import Result
from .templates import render_dir

# The generated client sends this variable's value as X-Nxaws-Principal to the local gateway.
PRINCIPAL_ENV = "NXAWS_LOCAL_PRINCIPAL"


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


def serve_target(command: str, port: int, *, dev: bool, principal: str | None = None) -> dict[str, Any]:
    env = {"PORT": str(port)} | ({"LOCAL_DEV": "true"} if dev else {})
    if dev and principal:
        env[PRINCIPAL_ENV] = principal
    target = {"executor": "nx:run-commands", "continuous": True,
              "options": {"commands": [command], "cwd": "{projectRoot}", "env": env}}  # fmt: skip
    return ordered(target, TARGET_KEY_ORDER)


@dataclass(frozen=True)
class Component:
    """Names of one agent or MCP server inside a Python project (reference §2.2, §5)."""

    project: Project
    module: str  # the project's package, last segment of sourceRoot
    name: str  # kebab-case name: "agents-agent"
    prefix: str  # target prefix and component name: the given name, else the kind ("agent")
    snake: str  # folder under the package: "agent"
    rc: str  # class name: "AgentsAgent"

    @property
    def directory(self) -> str:
        return f"{self.project.root}/{self.module}/{self.snake}"

    @property
    def path(self) -> str:
        return f"{self.module}/{self.snake}"


def component_names(project: Project, given: str | None, kind: str) -> Component:
    """``kind`` is ``agent`` or ``mcp-server``; without a name, the class name comes from the project's."""
    name = kebab_case(given) if given else kebab_case(f"{kebab_case(project.name.split('.')[-1])}-{kind}")
    module = PurePosixPath(project.source_root or "").name
    return Component(project, module, name, name if given else kind, snake_case(given or kind), class_name(name))


def emit(tree: Tree, files: Path, directory: str, variables: dict[str, Any], *, python: bool = True) -> None:
    """Render ``files`` into ``directory``, keeping any file that already exists."""
    for rel, text in render_dir(files, variables).items():
        tree.write_if_absent(f"{directory}/{rel}", text, format=python)


def add_serve_targets(project: Project, prefix: str, command: str, port: int, *, principal: str | None = None) -> None:
    """``<prefix>-serve`` and ``<prefix>-dev`` (continuous; dev sets LOCAL_DEV, and for agents the principal the
    local gateway evaluates Cedar policies for), and the ``dev`` aggregator."""
    targets = project.targets
    targets.setdefault(f"{prefix}-serve", serve_target(command, port, dev=False))
    targets.setdefault(f"{prefix}-dev", serve_target(command, port, dev=True, principal=principal))
    add_component_dev_target(project, f"{prefix}-dev")
    project.config["targets"] = dict(sorted(targets.items()))


def add_infra(tree: Tree, project: Project, generator_id: str, prefix: str, options: dict[str, Any]) -> Result:
    """The component's deployment (CDK construct or Terraform module) when ``--infra agentcore``."""
    if options["infra"] != "agentcore":
        return Result()
    from .py_infra.generator import add_component_infra

    return add_component_infra(tree, project.name, generator_id, prefix, options.get("iac"))
