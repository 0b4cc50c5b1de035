"""Hand-written workspaces for the workspace-model tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nxaws.workspace.projects import Workspace
from nxaws.workspace.tree import Tree


def write(root: Path, rel: str, content: str | dict | list) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2) + "\n")
    return path


def project(root: Path, rel_root: str, name: str | None, **config: object) -> Path:
    data = ({"name": name} if name else {}) | {"root": rel_root} | config
    return write(root, f"{rel_root}/project.json", data)


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write(root, "nx.json", {})
    write(root, "package.json", {"name": "@my-scope/source"})
    return root


@pytest.fixture
def workspace(ws_root: Path) -> Workspace:
    return Workspace(Tree(ws_root))
