"""The rendered Strands client against real MCP servers on 127.0.0.1 (local-dev mode), with Strands' own
``BedrockModel`` talking to the scripted Bedrock Runtime (``nxaws local-bedrock``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from types import ModuleType

import pytest
from strands import Agent
from strands.models.bedrock import BedrockModel
from support.mcp_servers import ServerThread, math_server, serving

from nxaws.local_bedrock import LocalBedrock
from runtime.gateways import GatewayTools, serving_gateway
from runtime.mcp_apps import paging_app

pytestmark = pytest.mark.timeout(60)
MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
ANSWER = "The gateway's tools___add tool says: 42"


def test_create_lists_and_calls_tools_on_the_local_gateway_port(lib: ModuleType, gateway_port: int, local_dev) -> None:
    calls: list = []
    with serving(math_server(calls=calls), port=gateway_port), lib.MyGatewayClientStrands.create() as client:
        names = sorted(tool.tool_name for tool in client.list_tools_sync())
        result = client.call_tool_sync(tool_use_id="c-1", name="add", arguments={"a": 2, "b": 3})
    assert names == ["add", "whoami"]
    assert result["status"] == "success" and result["content"][0]["text"] == "5"
    assert calls == [("add", (2, 3), None)]


def test_agent_calls_add_and_session_id_reaches_the_server(
    lib: ModuleType, gateway_port: int, local_dev, bedrock: LocalBedrock
) -> None:
    tools = GatewayTools()
    with (
        serving_gateway(gateway_port, tools),
        lib.session_id_context("s-1"),
        lib.MyGatewayClientStrands.create() as client,
    ):
        agent = Agent(model=BedrockModel(model_id=MODEL_ID), tools=client.list_tools_sync(), callback_handler=None)
        result = agent("please add 40 and 2")
    assert str(result).strip() == ANSWER
    offered = [t["toolSpec"]["name"] for t in bedrock.received[0]["body"]["toolConfig"]["tools"]]
    assert sorted(offered) == ["tools___add", "tools___whoami"]
    assert tools.calls == [("add", (40, 2), "s-1")]


def test_with_session_id_builds_one_agent_per_session(
    lib: ModuleType, gateway_port: int, local_dev, bedrock: LocalBedrock
) -> None:
    """Each session's agent gets its own gateway client, so the server sees each session's own header."""
    built: list[str | None] = []

    @contextlib.contextmanager
    def get_agent() -> Iterator[Agent]:
        built.append(lib.get_current_session_id())
        with lib.MyGatewayClientStrands.create() as client:
            yield Agent(model=BedrockModel(model_id=MODEL_ID), tools=client.list_tools_sync(), callback_handler=None)

    async def ask(agent, session: str) -> str:
        with lib.session_id_context(session):
            return "".join([event["data"] async for event in agent.stream_async("add") if "data" in event])

    tools = GatewayTools()
    with serving_gateway(gateway_port, tools), lib.with_session_id(get_agent, name="n", description="d") as agent:
        answers = [asyncio.run(ask(agent, session)) for session in ("a", "b", "a")]
        assert (agent.name, agent.description, len(agent.sessions)) == ("n", "d", 2)
        with lib.session_id_context("a"):
            assert len(agent.messages) == 8  # session a's own conversation, twice: prompt, tool use, result, answer
    assert answers == [ANSWER] * 3
    assert built == ["a", "b"]
    assert [session for _, _, session in tools.calls] == ["a", "b", "a"]


def test_list_tools_sync_follows_every_page(lib: ModuleType) -> None:
    pages = [["t1", "t2"], ["t3"], ["t4", "t5"]]
    server = ServerThread(paging_app(pages)).start()
    try:
        with lib.AgentCoreGatewayMCPClientStrands.without_auth(server.url) as client:
            every = [tool.tool_name for tool in client.list_tools_sync()]
            first = client.list_tools_sync(pagination_token="1")
        assert every == ["t1", "t2", "t3", "t4", "t5"]
        assert [tool.tool_name for tool in first] == ["t3"] and first.pagination_token == "2"
    finally:
        server.stop()


def test_agent_with_client_as_tool_provider_sees_every_page(lib: ModuleType) -> None:
    server = ServerThread(paging_app([["add"], ["t2"], ["t3"]])).start()
    try:
        client = lib.AgentCoreGatewayMCPClientStrands.without_auth(server.url)
        agent = Agent(model=BedrockModel(model_id=MODEL_ID, region_name="us-east-1"), tools=[client],
                      callback_handler=None)  # fmt: skip
        agent.tool_registry  # noqa: B018 - loading happens when the agent is built
        assert sorted(agent.tool_names) == ["add", "t2", "t3"]
        agent.cleanup()
    finally:
        server.stop()
