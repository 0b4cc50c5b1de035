from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .nxws import link_node_modules, new_workspace, nx_install, uv_sync


@pytest.fixture(scope="session")
def nx_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's one npm install (cached across sessions): Nx pinned by nxaws, plus the linked plugin."""
    return nx_install(tmp_path_factory.mktemp("npm"))


@pytest.fixture
def nx_workspace(nx_modules: Path) -> Callable[..., Path]:
    """Make a workspace with ``nxaws new`` that Nx runs in: node_modules linked, and ``uv sync`` done (so
    ``uv run --no-sync nxaws`` finds nxaws) unless ``sync=False``."""

    def make(parent: Path, name: str = "acme", *, sync: bool = True) -> Path:
        workspace = new_workspace(parent, name)
        link_node_modules(workspace, nx_modules)
        if sync:
            uv_sync(workspace)
        return workspace

    return make
