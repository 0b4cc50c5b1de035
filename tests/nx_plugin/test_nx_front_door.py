"""``nx g nxaws:<generator>`` against the real Nx from npm: the same change as ``nxaws g``, Nx's dry run, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from support.workspaces import changed as differences
from support.workspaces import snapshot

from nxaws.generators import GENERATORS

from .nxws import nx, nxaws

pytestmark = pytest.mark.slow

NO_INSTALL_NXAWS = "--no-prefer-install-dependencies"
NO_INSTALL_NX = "--preferInstallDependencies=false"
# gateway -> MCP server: every step is run with nxaws in one workspace and with Nx in an identical one.
GATEWAY_MCP = [
    ["py#project", "tools"],
    ["py#mcp-server", "acme.tools"],
    ["agentcore-gateway", "my-gateway"],
    ["connection", "@acme/my-gateway", "--targetProject=acme.tools"],
]
AGENT_GATEWAY = [
    ["py#project", "agents"],
    ["py#agent", "acme.agents"],
    ["agentcore-gateway", "my-gateway"],
    ["connection", "acme.agents", "--targetProject=@acme/my-gateway"],
]


def _both_ways(tmp_path: Path, make: Callable[..., Path], steps: list[list[str]]) -> tuple[Path, Path]:
    by_nxaws, by_nx = make(tmp_path / "by-nxaws"), make(tmp_path / "by-nx")
    assert snapshot(by_nxaws) == snapshot(by_nx)
    for generator_id, *args in steps:
        direct = nxaws(by_nxaws, "g", generator_id, *args, NO_INSTALL_NXAWS)
        assert direct.code == 0, direct
        through_nx = nx(by_nx, "g", f"nxaws:{generator_id}", *args, NO_INSTALL_NX, "--no-interactive")
        assert through_nx.code == 0, through_nx
        a, b = snapshot(by_nxaws), snapshot(by_nx)
        diff = differences(a, b)
        assert not diff, f"{generator_id}: {diff}\n{a.get(diff[0])!r}\n{b.get(diff[0])!r}\n{direct}\n{through_nx}"
    return by_nxaws, by_nx


def test_nx_lists_every_nxaws_generator(tmp_path: Path, nx_workspace: Callable[..., Path]) -> None:
    ws = nx_workspace(tmp_path, sync=False)
    listed = nx(ws, "list", "nxaws")
    assert listed.code == 0, listed
    assert re.findall(r"^(\S+) : ", listed.out, re.M) == list(GENERATORS)


def test_gateway_to_mcp_connection_is_the_same_either_way(tmp_path: Path, nx_workspace: Callable[..., Path]) -> None:
    by_nxaws, _ = _both_ways(tmp_path, nx_workspace, GATEWAY_MCP)
    config = snapshot(by_nxaws)
    assert any(b"acme.tools" in content for path, content in config.items() if path.startswith("packages/my-gateway"))


def test_agent_to_gateway_connection_is_the_same_either_way(tmp_path: Path, nx_workspace: Callable[..., Path]) -> None:
    probe = nx_workspace(tmp_path / "probe", sync=False)
    for generator_id, *args in AGENT_GATEWAY[:-1]:
        assert nxaws(probe, "g", generator_id, *args, NO_INSTALL_NXAWS).code == 0
    supported = nxaws(probe, "g", *AGENT_GATEWAY[-1], "--dry-run", "--json")
    if supported.code != 0 and "does not support a connection" in supported.out:
        pytest.skip(f"nxaws g connection <agent> <gateway> is not supported yet: {supported.out}")
    by_nxaws, _ = _both_ways(tmp_path, nx_workspace, AGENT_GATEWAY)
    assert (by_nxaws / "packages/common/agent_connection").is_dir()


def test_nx_dry_run_lists_nxaws_changes_and_writes_nothing(tmp_path: Path, nx_workspace: Callable[..., Path]) -> None:
    ws = nx_workspace(tmp_path)
    for generator_id, *args in GATEWAY_MCP[:-1]:
        assert nxaws(ws, "g", generator_id, *args, NO_INSTALL_NXAWS).code == 0
    before = snapshot(ws)
    expected = json.loads(nxaws(ws, "g", *GATEWAY_MCP[-1], "--dry-run", "--json").out)["changes"]
    assert expected, "the connection should change something"

    dry = nx(ws, "g", f"nxaws:{GATEWAY_MCP[-1][0]}", *GATEWAY_MCP[-1][1:], "--dry-run", "--no-interactive")
    assert dry.code == 0, dry
    listed = re.findall(r"^(CREATE|UPDATE|DELETE) (\S+)", dry.out, re.M)
    assert listed == [(c["kind"].upper(), c["path"]) for c in expected]
    assert "dryRun" in dry.err + dry.out
    assert snapshot(ws) == before


@pytest.mark.parametrize(
    "args",
    [
        ["connection", "@acme/my-gateway", "--targetProject=nope"],  # nxaws's own validation
        ["connection", "nope", "--targetProject=acme.tools"],
        ["connection", "acme.tools", "--targetProject=@acme/my-gateway"],  # unsupported direction
        ["py#mcp-server", "@acme/my-gateway"],  # not a Python project
    ],
)
def test_bad_input_fails_with_nxaws_message(tmp_path: Path, nx_workspace: Callable[..., Path], args: list[str]) -> None:
    ws = nx_workspace(tmp_path)
    for generator_id, *step in GATEWAY_MCP[:-1]:
        assert nxaws(ws, "g", generator_id, *step, NO_INSTALL_NXAWS).code == 0
    before = snapshot(ws)
    direct = nxaws(ws, "g", *args, "--dry-run", "--json")
    assert direct.code == 1, direct
    message = json.loads(direct.out)["error"]["message"]

    failed = nx(ws, "g", f"nxaws:{args[0]}", *args[1:], "--no-interactive")
    assert failed.code != 0, failed
    assert " ".join(message.split()) in " ".join((failed.out + failed.err).split())
    assert snapshot(ws) == before


def test_without_nxaws_in_the_venv_nx_says_to_run_uv_sync(tmp_path: Path, nx_workspace: Callable[..., Path]) -> None:
    ws = nx_workspace(tmp_path, sync=False)
    before = snapshot(ws)
    failed = nx(ws, "g", "nxaws:py#project", "agents", "--no-interactive")
    assert failed.code != 0, failed
    assert "Run `uv sync` in the workspace" in failed.out + failed.err
    assert snapshot(ws) == before


def test_nx_installs_with_uv_sync_unless_told_not_to(tmp_path: Path, nx_workspace: Callable[..., Path]) -> None:
    ws = nx_workspace(tmp_path)
    lock = (ws / "uv.lock").read_text()
    skipped = nx(ws, "g", "nxaws:py#project", "agents", NO_INSTALL_NX, "--no-interactive")
    assert skipped.code == 0, skipped
    assert (ws / "uv.lock").read_text() == lock and "acme-agents" not in lock

    installed = nx(ws, "g", "nxaws:py#project", "tools", "--no-interactive")
    assert installed.code == 0, installed
    lock = (ws / "uv.lock").read_text()
    assert 'name = "acme-agents"' in lock and 'name = "acme-tools"' in lock
    assert (ws / ".venv/lib").is_dir() and list((ws / ".venv").rglob("acme_tools*"))
