"""The generated Strands and LangChain agent servers, unmodified, under the faults the wire shows: a slow, down or
hung gateway, many sessions, two requests of one session at once, a throttled or refusing model.

Models are Strands' ``BedrockModel`` and LangChain's ``ChatBedrockConverse`` against ``nxaws local-bedrock``; the
gateway is a real MCP server (or a silent socket) on the gateway's local port.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import httpx
import pytest

from nxaws.local_bedrock import LocalBedrock
from runtime.agent_servers import generate_agents, serving_agent
from runtime.gateways import GatewayTools, hung_gateway, serving_gateway

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("local_dev", "bedrock")]
ANSWER = "The gateway's tools___add tool says: 42"
FRAMEWORKS = ["strands", "langchain"]


@pytest.fixture(scope="module")
def mains(tmp_path_factory: pytest.TempPathFactory, gateway_port: int) -> dict[str, ModuleType]:
    return generate_agents(tmp_path_factory.mktemp("agents"), gateway_port)


@pytest.fixture(autouse=True)
def agent_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AGENT_MAX_SESSIONS", "AGENT_SESSION_IDLE_TIMEOUT", "AGENTCORE_GATEWAY_TIMEOUT", "MODEL_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_agent_answers_with_the_tools_result_and_forwards_the_session(
    mains: dict, framework: str, gateway_port: int, bedrock: LocalBedrock
) -> None:
    tools = GatewayTools()
    with serving_gateway(gateway_port, tools), serving_agent(mains[framework]) as agent:
        assert agent.answer("please add 40 and 2", f"{framework}-1") == ANSWER
        assert agent.answer("whoami", f"{framework}-2") == f"The gateway's tools___whoami tool says: {framework}-2"
    assert tools.calls == [("add", (40, 2), f"{framework}-1")]
    assert [r["operation"] for r in bedrock.received] == ["ConverseStream"] * 4


@pytest.mark.slow
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_ping_answers_while_a_session_agent_is_built_against_a_slow_gateway(
    mains: dict, framework: str, gateway_port: int
) -> None:
    with (
        serving_gateway(gateway_port, slow_initialize=5) as gateway,
        serving_agent(mains[framework]) as agent,
        ThreadPoolExecutor(1) as pool,
    ):
        invocation = pool.submit(agent.answer, "add 40 and 2", "slow-1")
        assert gateway.pending.wait(10), "the agent did not start connecting to the gateway"
        pings = []
        for _ in range(5):
            started = time.monotonic()
            assert httpx.get(f"{agent.url}/ping", timeout=10).json() == {"status": "Healthy"}
            pings.append(time.monotonic() - started)
            assert gateway.pending.is_set(), "a ping waited for the gateway's handshake"
        assert invocation.result(timeout=60) == ANSWER
    assert statistics.median(pings) < 0.5, pings


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_agent_recovers_once_a_down_gateway_comes_up(mains: dict, framework: str, gateway_port: int) -> None:
    with serving_agent(mains[framework]) as agent:
        [line] = agent.lines("add 40 and 2", "r-1")
        assert f"Gateway http://localhost:{gateway_port}/mcp could not be reached" in line["error"]
        assert len(agent.pool) == 0  # the failed build was not kept
        with serving_gateway(gateway_port):
            assert agent.answer("add 40 and 2", "r-1") == ANSWER


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_hung_gateway_gives_the_configured_timeouts_error(
    mains: dict, framework: str, gateway_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTCORE_GATEWAY_TIMEOUT", "1")
    with hung_gateway(gateway_port), serving_agent(mains[framework]) as agent:
        [line] = agent.lines("add 40 and 2", "h-1")
    assert f"Gateway http://localhost:{gateway_port}/mcp did not answer within 1 s" in line["error"]
    assert line["error"].startswith("GatewayError: ")


def open_fds() -> int:
    return len(os.listdir(f"/proc/{os.getpid()}/fd"))


@pytest.mark.slow
@pytest.mark.parametrize(("framework", "sessions"), [("strands", 50), ("langchain", 12)])
def test_many_sessions_leave_at_most_the_configured_number_of_agents(
    mains: dict, framework: str, sessions: int, gateway_port: int, monkeypatch: pytest.MonkeyPatch, bedrock
) -> None:
    """Strands agents hold gateway clients (a thread, sockets): 50 sessions must not hold 50 of them. LangChain
    graphs hold no connections between calls, so fewer sessions show the same bound on them."""
    monkeypatch.setenv("AGENT_MAX_SESSIONS", "3")
    with serving_gateway(gateway_port), serving_agent(mains[framework]) as agent:
        for number in range(3):
            assert agent.answer("add 40 and 2", f"many-{number}") == ANSWER
        with_three = open_fds()
        bedrock.use_script([{"text": "hello"}])  # the rest without a tool call: the agents are what is measured
        for number in range(3, sessions):
            assert agent.answer("hi", f"many-{number}") == "hello"
            assert len(agent.pool) <= 3
        deadline = time.monotonic() + 10
        while open_fds() > with_three + 6 and time.monotonic() < deadline:  # evicted agents close in a thread
            time.sleep(0.1)
        assert open_fds() <= with_three + 6, (with_three, open_fds())
        assert agent.answer("hi", f"many-{sessions - 1}") == "hello"  # the newest session kept its agent


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_an_idle_sessions_agent_is_closed_and_built_again_when_needed(
    mains: dict, framework: str, gateway_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_SESSION_IDLE_TIMEOUT", "0.3")
    with serving_gateway(gateway_port, slow_initialize=0.01) as gateway, serving_agent(mains[framework]) as agent:
        assert agent.answer("add 40 and 2", "idle-1") == ANSWER
        deadline = time.monotonic() + 10
        while len(agent.pool) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(agent.pool) == 0
        built = gateway.initializes
        assert agent.answer("add 40 and 2", "idle-1") == ANSWER
        assert gateway.initializes > built  # a new agent, with new gateway clients


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_second_request_of_a_busy_session_gets_409(mains: dict, framework: str, gateway_port: int) -> None:
    tools = GatewayTools()
    tools.hold = threading.Event()
    with serving_gateway(gateway_port, tools), serving_agent(mains[framework]) as agent, ThreadPoolExecutor(1) as pool:
        try:
            first = pool.submit(agent.answer, "add 40 and 2", "busy-1")
            assert tools.add_started.wait(30), "the first invocation did not reach the tool"
            second = agent.invoke("whoami", "busy-1")
            other = agent.answer("whoami", "busy-2")  # another session is not held up
        finally:
            tools.hold.set()
        assert first.result(timeout=60) == ANSWER
        after = agent.answer("whoami", "busy-1")
    assert second.status_code == 409
    assert "Session busy-1 is answering another request" in second.json()["detail"]
    assert other == "The gateway's tools___whoami tool says: busy-2"
    assert after == "The gateway's tools___whoami tool says: busy-1"
    assert [call[0] for call in tools.calls] == ["add"]


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("error", ["ThrottlingException", "ValidationException"])
def test_a_model_error_ends_the_stream_with_an_error_line(
    mains: dict, framework: str, error: str, gateway_port: int, bedrock: LocalBedrock, monkeypatch: pytest.MonkeyPatch
) -> None:
    bedrock.use_script([{"error": {"type": error, "message": f"scripted {error}"}}])
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # botocore's resends on top (3 by default) cost ~7 s more here
    with serving_gateway(gateway_port), serving_agent(mains[framework]) as agent:
        started = time.monotonic()
        lines = agent.lines("add 40 and 2", f"err-{error}")
        took = time.monotonic() - started
    assert len(lines) == 1 and "content" not in lines[0], lines
    assert error in lines[0]["error"] or "Too many requests" in lines[0]["error"], lines
    assert took < 60, took  # with the generated retry settings, not Strands' two minutes
    print(f"{framework} {error}: after {took:.1f} s and {len(bedrock.received)} model requests: {lines[0]}")
