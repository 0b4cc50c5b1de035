"""The shared ``agent_connection`` project every agent and gateway client imports (reference §7.4)."""

from __future__ import annotations

from collections.abc import Iterable

from ..codemods.reexport import add_reexport
from ..workspace.projects import Project, Workspace
from ..workspace.python import add_dependencies
from ..workspace.tree import Tree
from .agent_connection.library import EXPORTS, render_layer
from .py_project.generator import ensure_python_project

# Third-party packages each library layer needs, pinned through nxaws.versions.
LAYER_DEPENDENCIES: dict[str, list[str]] = {
    "base": ["aws-lambda-powertools", "boto3"],
    "strands": ["strands-agents"],
    "gateway": ["boto3", "httpx", "mcp"],
    "gateway_strands": ["strands-agents"],
    "gateway_langchain": ["langchain-mcp-adapters"],
}


def connection_module(workspace: Workspace) -> str:
    return f"{workspace.py_scope}_agent_connection"


def ensure_agent_connection(
    tree: Tree, workspace: Workspace, layers: Iterable[str], variables: dict[str, object] | None = None
) -> Project:
    """Create the project when missing, then add the library layers (keep-existing) and their re-exports."""
    project = ensure_python_project(
        tree, workspace, {"name": "agent_connection", "directory": "packages/common", "type": "library"}
    )
    module = connection_module(workspace)
    package = project.path(module)
    init_path = f"{package}/__init__.py"
    for layer in layers:
        for rel, text in render_layer(layer, {"module": module, **(variables or {})}).items():
            tree.write_if_absent(f"{package}/{rel}", text, format=True)
        init = tree.read_text(init_path) or ""
        for from_module, name in EXPORTS.get(layer, []):
            init = add_reexport(init, from_module, name)
        if init != tree.read_text(init_path):
            tree.write(init_path, init, format=True)
    needed = dict.fromkeys(name for layer in layers for name in LAYER_DEPENDENCIES[layer])
    add_dependencies(tree, project.path("pyproject.toml"), list(needed))
    return project
