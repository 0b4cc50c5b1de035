"""The rendered Strands client against real MCP servers on 127.0.0.1 (local-dev mode)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest
from strands import Agent
from strands.models.model import Model
from support.mcp_servers import ServerThread, math_server, serving

from runtime.mcp_apps import paging_app

pytestmark = pytest.mark.timeout(60)


class ScriptedModel(Model):
    """An offline model: first asks for ``add(40, 2)``, then repeats the tool result as text."""

    def __init__(self) -> None:
        self.seen_tools: list[str] = []

    def update_config(self, **config: Any) -> None:
        pass

    def get_config(self) -> dict:
        return {}

    async def structured_output(self, output_model, prompt, system_prompt=None, **kwargs):  # type: ignore[override]
        raise NotImplementedError
        yield

    async def stream(self, messages, tool_specs=None, system_prompt=None, **kwargs) -> AsyncIterator[dict]:  # type: ignore[override]
        self.seen_tools = [spec["name"] for spec in tool_specs or []]
        results = [block["toolResult"] for block in messages[-1]["content"] if "toolResult" in block]
        yield {"messageStart": {"role": "assistant"}}
        if not results:
            yield {"contentBlockStart": {"start": {"toolUse": {"toolUseId": "t-1", "name": "add"}}}}
            yield {"contentBlockDelta": {"delta": {"toolUse": {"input": json.dumps({"a": 40, "b": 2})}}}}
            yield {"contentBlockStop": {}}
            yield {"messageStop": {"stopReason": "tool_use"}}
        else:
            yield {"contentBlockStart": {"start": {}}}
            yield {"contentBlockDelta": {"delta": {"text": f"sum={results[0]['content'][0]['text']}"}}}
            yield {"contentBlockStop": {}}
            yield {"messageStop": {"stopReason": "end_turn"}}
        yield {
            "metadata": {"usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 0}}
        }


@pytest.fixture
def local_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_DEV", "true")


def test_create_lists_and_calls_tools_on_the_local_gateway_port(lib: ModuleType, gateway_port: int, local_dev) -> None:
    calls: list = []
    with serving(math_server(calls=calls), port=gateway_port), lib.MyGatewayClientStrands.create() as client:
        names = sorted(tool.tool_name for tool in client.list_tools_sync())
        result = client.call_tool_sync(tool_use_id="c-1", name="add", arguments={"a": 2, "b": 3})
    assert names == ["add", "whoami"]
    assert result["status"] == "success" and result["content"][0]["text"] == "5"
    assert calls == [("add", (2, 3), None)]


def test_agent_calls_add_and_session_id_reaches_the_server(lib: ModuleType, gateway_port: int, local_dev) -> None:
    calls: list = []
    model = ScriptedModel()
    with (
        serving(math_server(calls=calls), port=gateway_port),
        lib.session_id_context("s-1"),
        lib.MyGatewayClientStrands.create() as client,
    ):
        agent = Agent(model=model, tools=client.list_tools_sync(), callback_handler=None)
        result = agent("please add 40 and 2")
    assert str(result).strip() == "sum=42"
    assert sorted(model.seen_tools) == ["add", "whoami"]
    assert calls == [("add", (40, 2), "s-1")]


def test_with_session_id_builds_one_agent_per_session(lib: ModuleType, gateway_port: int, local_dev) -> None:
    """Each session's agent gets its own gateway client, so the server sees each session's own header."""
    import contextlib

    built: list[str | None] = []

    @contextlib.contextmanager
    def get_agent():
        built.append(lib.get_current_session_id())
        with lib.MyGatewayClientStrands.create() as client:
            yield Agent(model=ScriptedModel(), tools=client.list_tools_sync(), callback_handler=None)

    calls: list = []
    with (
        serving(math_server(calls=calls), port=gateway_port),
        lib.with_session_id(get_agent, name="n", description="d") as agent,
    ):
        for session in ("a", "b", "a"):
            with lib.session_id_context(session):
                assert str(agent("add")).strip() == "sum=42"
        assert agent.name == "n" and agent.description == "d"
    assert built == ["a", "b"]
    assert [session for _, _, session in calls] == ["a", "b", "a"]


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
    model = ScriptedModel()
    try:
        client = lib.AgentCoreGatewayMCPClientStrands.without_auth(server.url)
        agent = Agent(model=model, tools=[client], callback_handler=None)
        agent.tool_registry  # noqa: B018 - loading happens when the agent is built
        assert sorted(agent.tool_names) == ["add", "t2", "t3"]
        agent.cleanup()
    finally:
        server.stop()
