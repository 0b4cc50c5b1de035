"""Workspaces built once per session by nxaws itself; each test works on its own copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.workspaces import clone, template

PROJECTS = [["g", "py#project", "agents"], ["g", "py#project", "tools"]]
WITH_COMPONENTS = [*PROJECTS, ["g", "py#agent", "agents"], ["g", "py#mcp-server", "tools"]]
WITH_GATEWAY = [*WITH_COMPONENTS, ["g", "agentcore-gateway", "my-gateway"]]
FULL = [*WITH_GATEWAY, ["g", "connection", "my-gateway", "tools"]]
STAGES = {"empty": [], "projects": PROJECTS, "components": WITH_COMPONENTS, "gateway": WITH_GATEWAY, "full": FULL}


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("templates")
    return {stage: template(base, steps) for stage, steps in STAGES.items()}


@pytest.fixture
def stage(templates: dict[str, Path], tmp_path: Path):
    """``stage("gateway")`` → a fresh copy of the workspace at that stage (``acme``)."""

    def copy(name: str) -> Path:
        return clone(templates[name], tmp_path / name)

    return copy
