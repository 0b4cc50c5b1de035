"""End to end with real Nx, uv, MCP servers, the local gateway and Strands / LangChain agents (issues 3, 4, 12).

The agents run as generated, with their real Bedrock model clients talking to ``nxaws local-bedrock``, whose
built-in script calls the gateway's ``tools___add`` (``tools___whoami`` when asked ``whoami``) and answers with
its result.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.procs import running, wait_for_http, wait_for_port

from e2e.conftest import require_free_ports
from nxaws.local_bedrock import LocalBedrock

pytestmark = pytest.mark.slow
ANSWER = "The gateway's tools___add tool says: 42"

CLIENT_CHECK = """
import asyncio, os
os.environ["LOCAL_DEV"] = "true"
from acme_agent_connection import MyGatewayClientStrands, MyGatewayClientLangChain, session_id_context

with session_id_context("direct-1"), MyGatewayClientStrands.create() as client:
    names = sorted(t.tool_name for t in client.list_tools_sync())
    result = client.call_tool_sync("x-1", "add", {"a": 2, "b": 3})
    print("strands", names, result["content"][0]["text"])

tools = MyGatewayClientLangChain.create()
add = next(t for t in tools if t.name == "add")
print("langchain", sorted(t.name for t in tools), asyncio.run(add.ainvoke({"a": 5, "b": 6})))
"""


def test_generated_clients_talk_to_a_plain_mcp_server_on_the_gateway_port(acme: Path, tmp_path: Path) -> None:
    """Issue 3: after `uv sync`, LOCAL_DEV clients list and call tools of whatever listens on the gateway port."""
    require_free_ports()
    command = ["uv", "run", "uvicorn", "acme_tools.tools.server:app", "--host", "127.0.0.1", "--port", "8100"]
    with running(command, cwd=acme / "packages/tools", log=tmp_path / "mcp.log") as proc:
        wait_for_port(8100, timeout=60, proc=proc)
        result = subprocess.run(["uv", "run", "python", "-c", CLIENT_CHECK], cwd=acme, capture_output=True,
                                text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "strands ['add', 'whoami'] 5"
    assert lines[1].startswith("langchain ['add', 'whoami']") and "11" in lines[1]


@pytest.fixture(scope="module")
def agent_dev(acme: Path, tmp_path_factory: pytest.TempPathFactory, agent_env: dict[str, str]) -> Iterator[None]:
    """`nx run-many -t agent-dev` boots both agents, the local gateway and the MCP server (shared once)."""
    require_free_ports()
    log = tmp_path_factory.mktemp("nx") / "agent-dev.log"
    command = ["npx", "nx", "run-many", "-t", "agent-dev", "-p", "acme.agents", "acme.lcagents",
               "--outputStyle=stream"]  # fmt: skip
    with running(command, cwd=acme, env=agent_env, log=log) as proc:
        try:
            for url in ("http://127.0.0.1:8081/ping", "http://127.0.0.1:8082/ping"):
                wait_for_http(url, timeout=180, proc=proc)
            wait_for_port(8100, timeout=60, proc=proc)
            wait_for_port(8000, timeout=60, proc=proc)
        except Exception:
            print(log.read_text()[-5000:])
            raise
        yield


def invoke(port: int, prompt: str, session_id: str | None = None) -> str:
    """The agent's streamed answer (JSON lines of ``content``; an ``error`` line fails the test)."""
    headers = {"x-amzn-bedrock-agentcore-runtime-session-id": session_id} if session_id else {}
    response = httpx.post(f"http://127.0.0.1:{port}/invocations", json={"prompt": prompt}, headers=headers,
                          timeout=60)  # fmt: skip
    response.raise_for_status()
    lines = [json.loads(line) for line in response.text.splitlines() if line]
    assert lines and all("content" in line for line in lines), lines
    return "".join(line["content"] for line in lines)


@pytest.mark.parametrize(("port", "framework"), [(8081, "strands"), (8082, "langchain")])
def test_agent_calls_a_gateway_tool(agent_dev: None, bedrock: LocalBedrock, port: int, framework: str) -> None:
    """The model (local-bedrock) calls tools___add through the generated client and the local gateway."""
    bedrock.clear()
    assert invoke(port, "please add 40 and 2", session_id=f"{framework}-add") == ANSWER
    first, second = bedrock.received
    assert first["operation"] == "ConverseStream" and first["signed"]
    assert "tools___add" in [tool["toolSpec"]["name"] for tool in first["body"]["toolConfig"]["tools"]]
    assert second["body"]["messages"][-1]["content"][0]["toolResult"]["content"] == [{"text": "42"}]


@pytest.mark.parametrize(("port", "framework"), [(8081, "strands"), (8082, "langchain")])
def test_session_id_reaches_the_mcp_server(agent_dev: None, port: int, framework: str) -> None:
    """The inbound session header, bound by the agent's middleware, arrives at the MCP server via the gateway."""
    for session in (f"{framework}-sess-7", f"{framework}-sess-8"):
        assert invoke(port, "whoami", session_id=session) == f"The gateway's tools___whoami tool says: {session}"


def test_agent_ping(agent_dev: None) -> None:
    for port in (8081, 8082):
        assert httpx.get(f"http://127.0.0.1:{port}/ping", timeout=5).json() == {"status": "Healthy"}


def test_connected_workspace_passes_its_own_ruff(acme: Path) -> None:
    """After every generator and both agent connections, the workspace's pinned ruff finds nothing to fix."""
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        result = subprocess.run(["uv", "run", *command], cwd=acme, capture_output=True, text=True, timeout=120,
                                check=False)  # fmt: skip
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


FORBID_WHOAMI = """// Only for this test: the Strands agent may not ask who it is.
forbid (
  principal == AgentCore::IamEntity::"arn:aws:iam::123456789012:role/AgentsAgent",
  action == AgentCore::Action::"tools___whoami",
  resource
);
"""


def _tools_for(principal: str) -> list[str]:
    """What the local gateway lists for ``principal`` (plain mode honours X-Nxaws-Principal)."""
    headers = {"X-Nxaws-Principal": principal, "Accept": "application/json, text/event-stream"}
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    answer = httpx.post("http://127.0.0.1:8100/mcp", json=message, headers=headers, timeout=10).json()
    return [tool["name"] for tool in answer["result"]["tools"]]


def _until(check, timeout: float = 15) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the local gateway did not pick up the policy change in time"
        time.sleep(0.2)


def test_a_policy_for_one_agent_hides_a_tool_from_that_agent_only(
    agent_dev: None, acme: Path, bedrock: LocalBedrock
) -> None:
    """Issue 11 through agent-dev: each agent calls as its own principal (its dev target's NXAWS_LOCAL_PRINCIPAL),
    and the gateway reloads an added policy without a restart."""
    strands_role = "arn:aws:iam::123456789012:role/AgentsAgent"
    policy = acme / "packages/my-gateway/policies/forbid-whoami-strands.cedar"
    policy.write_text(FORBID_WHOAMI)
    try:
        _until(lambda: "tools___whoami" not in _tools_for(strands_role))
        assert "tools___whoami" in _tools_for("arn:aws:iam::123456789012:role/LcagentsAgent")
        bedrock.clear()
        # The scripted model asks for *___whoami only when it is offered; else it adds, as it does by default.
        assert invoke(8081, "whoami", session_id="strands-policy") == ANSWER
        offered = [tool["toolSpec"]["name"] for tool in bedrock.received[0]["body"]["toolConfig"]["tools"]]
        assert "tools___whoami" not in offered and "tools___add" in offered
        answer = invoke(8082, "whoami", session_id="langchain-policy")
        assert answer == "The gateway's tools___whoami tool says: langchain-policy"
    finally:
        policy.unlink()
        _until(lambda: "tools___whoami" in _tools_for(strands_role))
