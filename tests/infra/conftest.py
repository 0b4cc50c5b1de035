"""Generated workspaces for the infra tests: one synced CDK workspace per session, plus cheap unsynced ones."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from support.procs import kill_group
from support.workspaces import make_workspace as shared_make_workspace
from support.workspaces import nxaws as run_nxaws

JSII_ENV = {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
SECOND_POLICY = """forbid (principal, action == AgentCore::Action::"agents-mcp-server___add", resource);
"""


def run(
    args: Sequence[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None, stdin: str | None = None
) -> str:
    """Run to completion in its own process group (killed on timeout); return the output, raise on failure."""
    proc = subprocess.Popen(
        list(args), cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(stdin, timeout=timeout)
    finally:
        kill_group(proc)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {proc.returncode}:\n{out[-4000:]}")
    return out


def nxaws(folder: Path, *argv: str) -> None:
    result = run_nxaws(folder, *argv, "--no-interactive")
    assert result.code == 0, f"nxaws {' '.join(argv)}: {result}"


def g(ws: Path, generator: str, *argv: str) -> None:
    nxaws(ws, "g", generator, *argv, "--no-prefer-install-dependencies")


def make_workspace(parent: Path, name: str = "acme", *, iac: str = "cdk") -> Path:
    steps = [["g", "py#project", "agents"], ["g", "agentcore-gateway", "my-gateway", "--iac", iac],
             ["g", "py#agent", "agents"], ["g", "py#mcp-server", "agents"]]  # fmt: skip
    return shared_make_workspace(parent / name, steps)


STACK = "packages/infra/acme_infra/stacks/application_stack.py"


@pytest.fixture(scope="session")
def synth_ws(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A CDK workspace with two gateways (both with permit-all.cedar; my-gateway also denies one tool), an agent and
    an MCP server, wired by the connection generator alone (no hand edit); synthesised once."""
    from support.workspaces import snapshot

    ws = make_workspace(tmp_path_factory.mktemp("cdk"))
    g(ws, "agentcore-gateway", "second-gateway")
    (ws / "packages/my-gateway/policies/deny-add.cedar").write_text(SECOND_POLICY)
    connections = (["connection", "my-gateway", "agents"], ["connection", "agents", "my-gateway"])
    for argv in connections:
        g(ws, *argv)
    wired = snapshot(ws)
    for argv in connections:
        g(ws, *argv)
    assert snapshot(ws) == wired  # connecting again changes nothing
    run(["uv", "sync"], cwd=ws, timeout=600)
    started = time.monotonic()
    run(["uv", "run", "python", "app.py"], cwd=ws / "packages/infra", timeout=600, env=JSII_ENV)
    return {"ws": ws, "stack": (ws / STACK).read_text(), "synth_seconds": time.monotonic() - started}
