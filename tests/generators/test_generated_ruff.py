"""Generated code passes the workspace's own ruff and the latest ruff's default rules (ruff ≥ 0.17 enables many
more by default: RUF022, TRY004, BLE001, ...), as TypeScript-plugin workspaces run it with only a line length."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from connection.conftest import make_reference_workspace
from support.workspaces import make_workspace, nxaws

STEPS = [
    ["g", "py#project", "agents"],
    ["g", "py#agent", "agents"],
    ["g", "py#project", "lcagents"],
    ["g", "py#agent", "lcagents", "--framework", "langchain"],
    ["g", "py#project", "tools"],
    ["g", "py#mcp-server", "tools"],
    ["g", "agentcore-gateway", "my-gateway"],
    ["g", "connection", "my-gateway", "tools"],
    ["g", "connection", "agents", "my-gateway"],
    ["g", "connection", "lcagents", "my-gateway"],
]


def ruff(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ruff", *args, "--no-cache", "--output-format", "concise", "."]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def ruff_defaults(project: Path) -> subprocess.CompletedProcess[str]:
    """ruff's default rules with a TypeScript-plugin workspace's settings (a line length), run per project as
    its lint target does, so first-party imports are told apart the same way."""
    return ruff(project, "check", "--isolated", "--line-length", "120")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("ruff") / "acme", STEPS)


def test_the_workspace_passes_its_own_ruff(workspace: Path) -> None:
    for args in (["check"], ["format", "--check"]):
        result = ruff(workspace, *args)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_generated_project_passes_the_latest_ruff_defaults(workspace: Path) -> None:
    projects = sorted(p.parent for p in workspace.glob("packages/**/pyproject.toml"))
    assert len(projects) >= 6  # agents, lcagents, tools, agent_connection, constructs, infra
    failures = {str(p.relative_to(workspace)): r.stdout for p in projects if (r := ruff_defaults(p)).returncode}
    assert failures == {}


@pytest.mark.parametrize("framework", ["strands", "langchain"])
def test_the_library_written_into_a_typescript_plugin_workspace_passes_the_latest_ruff_defaults(
    tmp_path: Path, framework: str
) -> None:
    ws = make_reference_workspace(tmp_path / "ws", framework=framework)
    result = nxaws(ws, "g", "connection", "my_scope.my_agent", "@test/my-gateway", "--no-prefer-install-dependencies")
    assert result.code == 0, result
    library = ws / "packages/common/agent_connection"
    checked = ruff_defaults(library)
    assert checked.returncode == 0, checked.stdout
