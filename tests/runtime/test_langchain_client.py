"""The rendered LangChain client against a real MCP server on 127.0.0.1 (local-dev mode), with LangChain's own
``ChatBedrockConverse`` talking to the scripted Bedrock Runtime (``nxaws local-bedrock``)."""

from __future__ import annotations

import asyncio
from types import ModuleType

import pytest
from langchain.agents import create_agent
from langchain_aws import ChatBedrockConverse
from langchain_core.messages import HumanMessage, ToolMessage
from support.mcp_servers import math_server, serving

from nxaws.local_bedrock import LocalBedrock
from runtime.gateways import GatewayTools, serving_gateway

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("local_dev")]
MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
ANSWER = "The gateway's tools___add tool says: 42"


def model() -> ChatBedrockConverse:
    return ChatBedrockConverse(model=MODEL_ID, region_name="us-east-1")


def test_create_returns_tools_an_agent_can_call(lib: ModuleType, gateway_port: int, bedrock: LocalBedrock) -> None:
    tools = GatewayTools()
    with serving_gateway(gateway_port, tools):
        loaded = lib.MyGatewayClientLangChain.create()
        agent = create_agent(model=model(), tools=loaded)
        with lib.session_id_context("lc-1"):
            result = agent.invoke({"messages": [HumanMessage("add 40 and 2")]})
    assert sorted(tool.name for tool in loaded) == ["tools___add", "tools___whoami"]
    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert [block["text"] for block in tool_messages[0].content] == ["42"]
    assert result["messages"][-1].text == ANSWER
    assert tools.calls == [("add", (40, 2), "lc-1")]


def test_create_inside_a_running_event_loop(lib: ModuleType, gateway_port: int, bedrock: LocalBedrock) -> None:
    tools = GatewayTools()

    async def main() -> list:
        loaded = lib.MyGatewayClientLangChain.create()  # a sync call from async code: must not deadlock or refuse
        with lib.session_id_context("lc-async"):
            agent = create_agent(model=model(), tools=loaded)
            return (await agent.ainvoke({"messages": [HumanMessage("add")]}))["messages"]

    with serving_gateway(gateway_port, tools):
        messages = asyncio.run(asyncio.wait_for(main(), timeout=30))
    assert messages[-1].text == ANSWER
    assert tools.calls == [("add", (40, 2), "lc-async")]


def test_session_id_is_sent_while_listing_from_a_worker_thread(lib: ModuleType, gateway_port: int) -> None:
    async def main() -> str:
        with lib.session_id_context("lc-list"):
            tools = lib.MyGatewayClientLangChain.create()
        whoami = next(tool for tool in tools if tool.name == "whoami")
        with lib.session_id_context("lc-call"):
            return (await whoami.ainvoke({}))[0]["text"]

    with serving(math_server(), port=gateway_port):
        assert asyncio.run(asyncio.wait_for(main(), timeout=30)) == "lc-call"
