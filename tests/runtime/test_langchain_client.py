"""The rendered LangChain client against a real MCP server on 127.0.0.1 (local-dev mode)."""

from __future__ import annotations

import asyncio
from types import ModuleType

import pytest
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from support.mcp_servers import math_server, serving

pytestmark = pytest.mark.timeout(60)


class FakeToolModel(GenericFakeChatModel):
    """Scripted replies; the base class refuses ``bind_tools``."""

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):  # type: ignore[override]
        return self


def scripted_model() -> FakeToolModel:
    call = {"name": "add", "args": {"a": 40, "b": 2}, "id": "call_1", "type": "tool_call"}
    return FakeToolModel(messages=iter([AIMessage(content="", tool_calls=[call]), AIMessage(content="done")]))


@pytest.fixture(autouse=True)
def local_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_DEV", "true")


def test_create_returns_tools_an_agent_can_call(lib: ModuleType, gateway_port: int) -> None:
    calls: list = []
    with serving(math_server(calls=calls), port=gateway_port):
        tools = lib.MyGatewayClientLangChain.create()
        agent = create_agent(model=scripted_model(), tools=tools)
        with lib.session_id_context("lc-1"):
            result = agent.invoke({"messages": [HumanMessage("add 40 and 2")]})
    assert sorted(tool.name for tool in tools) == ["add", "whoami"]
    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert [block["text"] for block in tool_messages[0].content] == ["42"]
    assert result["messages"][-1].content == "done"
    assert calls == [("add", (40, 2), "lc-1")]


def test_create_inside_a_running_event_loop(lib: ModuleType, gateway_port: int) -> None:
    calls: list = []

    async def main() -> list:
        tools = lib.MyGatewayClientLangChain.create()  # a sync call from async code: must not deadlock or refuse
        with lib.session_id_context("lc-async"):
            agent = create_agent(model=scripted_model(), tools=tools)
            return (await agent.ainvoke({"messages": [HumanMessage("add")]}))["messages"]

    with serving(math_server(calls=calls), port=gateway_port):
        messages = asyncio.run(asyncio.wait_for(main(), timeout=30))
    assert messages[-1].content == "done"
    assert calls == [("add", (40, 2), "lc-async")]


def test_session_id_is_sent_while_listing_from_a_worker_thread(lib: ModuleType, gateway_port: int) -> None:
    async def main() -> str:
        with lib.session_id_context("lc-list"):
            tools = lib.MyGatewayClientLangChain.create()
        whoami = next(tool for tool in tools if tool.name == "whoami")
        with lib.session_id_context("lc-call"):
            return (await whoami.ainvoke({}))[0]["text"]

    with serving(math_server(), port=gateway_port):
        assert asyncio.run(asyncio.wait_for(main(), timeout=30)) == "lc-call"
