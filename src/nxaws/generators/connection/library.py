"""The shared ``agent_connection`` library every agent imports (reference §7.4), built up in layers.

``files/base`` comes with the first agent, ``files/<framework>/runtime`` with the first agent of that framework,
``files/gateway`` and ``files/<framework>/client`` (one client class per gateway) with the first connection to a
gateway. Files are keep-existing: a user's edit to the library survives re-runs. Layers other than ``client``
take no variables, so every workspace gets the same, testable code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...codemods.reexport import add_reexport
from ...frameworks import Framework
from ...workspace.projects import Project, Workspace
from ...workspace.python import add_dependencies
from ...workspace.tree import Tree
from ..py_project.generator import ensure_python_project
from ..templates import render_dir

FILES = Path(__file__).parent / "files"
BASE_DEPENDENCIES = ("aws-lambda-powertools", "boto3")
BASE_EXPORTS = ((".core.session_context", "get_current_session_id"), (".core.session_context", "session_id_context"))
GATEWAY_DEPENDENCIES = ("boto3", "httpx", "mcp")


@dataclass(frozen=True)
class GatewayClient:
    """The per-gateway client class the ``client`` layer renders."""

    gateway_class: str  # MyGateway
    gateway_snake: str  # my_gateway
    gateway_port: int  # the local gateway's port, used with LOCAL_DEV=true


def library_module(workspace: Workspace) -> str:
    return f"{workspace.py_scope}_agent_connection"


def ensure_library(
    tree: Tree, workspace: Workspace, framework: Framework, gateway: GatewayClient | None = None
) -> Project:
    """Create the project when missing and add the layers ``framework`` (and ``gateway``) need."""
    project = ensure_python_project(
        tree, workspace, {"name": "agent_connection", "directory": "packages/common", "type": "library"}
    )
    module = library_module(workspace)
    layers: list[tuple[Path, dict[str, object]]] = [(FILES / "base", {}), (framework.library_files / "runtime", {})]
    exports = [*BASE_EXPORTS, *framework.runtime_exports]
    dependencies = [*BASE_DEPENDENCIES, *framework.runtime_dependencies]
    if gateway is not None:
        layers += [(FILES / "gateway", {}), (framework.library_files / "client", vars(gateway))]
        exports.append((framework.client_module(gateway.gateway_snake), framework.client_class(gateway.gateway_class)))
        dependencies += [*GATEWAY_DEPENDENCIES, *framework.client_dependencies]
    package = project.path(module)
    for folder, variables in layers:
        if folder.is_dir():
            for rel, text in render_dir(folder, {"module": module, **variables}).items():
                tree.write_if_absent(f"{package}/{rel}", text, format=True)
    init_path = f"{package}/__init__.py"
    init = original = tree.read_text(init_path) or ""
    for from_module, name in exports:
        init = add_reexport(init, from_module, name)
    if init != original:
        tree.write(init_path, init, format=True)
    add_dependencies(tree, project.path("pyproject.toml"), list(dict.fromkeys(dependencies)))
    return project
