"""From an empty directory to a served MCP tool, with the real parts: nxaws as a process, ``uv sync``, Nx from
npm, the workspace's own ruff, and an MCP client over HTTP.

``acme.tools:mcp-server-dev`` listens on the generator's fixed port 8000: run this module on its own.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client
from support.procs import running, wait_for_port
from support.workspaces import link_node_modules, nxaws_process, run, tool_env, uv_sync

pytestmark = pytest.mark.slow

STEPS = [
    ["g", "py#project", "agents"],
    ["g", "py#agent", "agents"],
    ["g", "py#project", "tools"],
    ["g", "py#mcp-server", "tools"],
    ["g", "agentcore-gateway", "my-gateway"],
    ["g", "connection", "my-gateway", "tools"],
]
PROJECTS = {"acme.agents", "acme.tools", "acme.agent_connection", "@acme/my-gateway"}
MCP_PORT = 8000


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("foundation")
    made = nxaws_process(base, "new", "acme", "--no-install")
    assert made.code == 0, made
    ws = base / "acme"
    for step in STEPS:
        result = nxaws_process(ws, *step, "--no-prefer-install-dependencies")
        assert result.code == 0, f"nxaws {' '.join(step)}: {result}"
    link_node_modules(ws)
    uv_sync(ws)
    yield ws


def test_uv_sync_installed_every_project(acme: Path) -> None:
    check = run(acme, "uv", "run", "python", "-c", "import acme_agents, acme_tools, acme_agent_connection, mcp")
    assert check.returncode == 0, check.stderr
    assert (acme / "uv.lock").is_file()


def test_nx_sees_every_project_and_target(acme: Path) -> None:
    shown = run(acme, "npx", "nx", "show", "projects", "--json", timeout=180)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    on_disk = sorted(p for p in acme.glob("packages/**/project.json") if "node_modules" not in p.parts)
    assert set(json.loads(shown.stdout)) == {json.loads(p.read_text())["name"] for p in on_disk} >= PROJECTS
    for project_json in on_disk:
        written = json.loads(project_json.read_text())
        seen = run(acme, "npx", "nx", "show", "project", written["name"], "--json", timeout=180)
        assert seen.returncode == 0, seen.stdout + seen.stderr
        config = json.loads(seen.stdout)
        assert config["root"] == written["root"]
        assert set(written["targets"]) <= set(config["targets"]), written["name"]
        for name, target in written["targets"].items():
            assert config["targets"][name].get("dependsOn", []) == target.get("dependsOn", []), name
            assert bool(config["targets"][name].get("continuous")) == bool(target.get("continuous")), name
        assert config.get("metadata", {}).get("generator") == written["metadata"]["generator"]


def test_generated_code_passes_the_workspaces_own_ruff(acme: Path) -> None:
    version = run(acme, "uv", "run", "ruff", "--version")
    assert version.returncode == 0 and acme.joinpath(".venv/bin/ruff").is_file(), version.stderr
    lint = run(acme, "uv", "run", "ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(acme, "uv", "run", "ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


async def _call_add(url: str) -> tuple[list[str], str]:
    async with streamablehttp_client(url) as (read, write, _), ClientSession(read, write) as session:
        await session.initialize()
        tools = [tool.name for tool in (await session.list_tools()).tools]
        result = await session.call_tool("add", {"a": 2, "b": 40})
        assert not result.isError, result
        return tools, result.content[0].text


def test_nx_serves_the_mcp_server_and_a_client_calls_add(acme: Path, tmp_path: Path) -> None:
    deadline = time.monotonic() + 60
    while not _port_is_free(MCP_PORT):
        assert time.monotonic() < deadline, f"port {MCP_PORT} is taken by another process: run this test alone"
        time.sleep(1)
    log = tmp_path / "nx.log"
    command = ["npx", "nx", "run", "acme.tools:mcp-server-dev", "--outputStyle=stream"]
    with running(command, cwd=acme, env=tool_env(), log=log) as proc:
        try:
            wait_for_port(MCP_PORT, timeout=180, proc=proc)
            tools, text = asyncio.run(asyncio.wait_for(_call_add(f"http://127.0.0.1:{MCP_PORT}/mcp"), 60))
        except BaseException:
            print(log.read_text()[-5000:])
            raise
    assert "add" in tools
    assert text == "42"
    deadline = time.monotonic() + 15
    while not _port_is_free(MCP_PORT):  # the whole Nx process tree is gone, uvicorn included
        assert time.monotonic() < deadline, "the MCP server outlived its Nx process"
        time.sleep(0.2)
