"""The Terraform side: core runtime-config and runtime modules, one module per gateway, agent or MCP server."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ...workspace.tree import Tree
from ..templates import render_dir
from .readiness_probe import render_readiness_probe

FILES = Path(__file__).parent / "files" / "terraform"
ROOT = "packages/common/terraform"
KIND_FOLDERS = {"agents": "agents", "mcp_servers": "mcp-servers", "gateways": "gateways"}


def ensure_core(tree: Tree) -> None:
    for rel, text in render_dir(FILES / "core", {}).items():
        tree.write_if_absent(f"{ROOT}/src/core/{rel}", text)
    for rel, text in render_readiness_probe().items():  # the gateway modules' probe, run with `uv run --script`
        tree.write_if_absent(f"{ROOT}/src/core/readiness-probe/{rel}", text, format=True)
    tree.write_if_absent(f"{ROOT}/README.md", (FILES / "README.md").read_text())


def module_dir(kind: str, name: str) -> str:
    return f"{ROOT}/src/app/{KIND_FOLDERS[kind]}/{name}"


def add_module(tree: Tree, kind: str, variables: dict[str, Any]) -> str:
    """Emit ``src/app/<kind>/<name>/<name>.tf`` (keep-existing); returns the module folder."""
    ensure_core(tree)
    folder = module_dir(kind, str(variables["name"]))
    to_root = "/".join([".."] * len(PurePosixPath(folder).parts))
    for rel, text in render_dir(FILES / "app" / KIND_FOLDERS[kind], {**variables, "to_root": to_root}).items():
        tree.write_if_absent(f"{ROOT}/src/app/{KIND_FOLDERS[kind]}/{rel}", text)
    return folder
