"""Hand-written workspaces for the workspace-model tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.workspaces import write_file

from nxaws.workspace.projects import Workspace
from nxaws.workspace.tree import Tree


@pytest.fixture
def ws_root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    write_file(root, "nx.json", {})
    write_file(root, "package.json", {"name": "@my-scope/source"})
    return root


@pytest.fixture
def workspace(ws_root: Path) -> Workspace:
    return Workspace(Tree(ws_root))
