"""Strands' ``BedrockModel`` and LangChain's ``ChatBedrockConverse``, unmodified, against the stand-in.

What these show (and the generated agents must handle): LangChain streams message content as *lists of
content blocks*, never as ``str``; both frameworks see a scripted throttle as the service's error, and
Strands retries it with backoff (6 attempts, 4 s doubling, by default) unless its retry strategy says less.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.exceptions import ClientError, EventStreamError
from langchain.agents import create_agent
from langchain_aws import ChatBedrockConverse
from langchain_core.messages import AIMessageChunk, ToolMessage
from langchain_core.tools import tool as langchain_tool
from strands import Agent, ModelRetryStrategy
from strands import tool as strands_tool
from strands.models.bedrock import BedrockModel
from strands.types.exceptions import ModelThrottledException

from nxaws.local_bedrock import DEFAULT_TURNS, LocalBedrock

from .conftest import MODEL_ID

ANSWER = "The gateway's tools___add tool says: 42"


def strands_agent(calls: list, **options: Any) -> Agent:
    @strands_tool(name="tools___add")
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        calls.append((a, b))
        return a + b

    model = BedrockModel(model_id=MODEL_ID, region_name="us-east-1")
    return Agent(model=model, tools=[add], callback_handler=None, **options)


async def strands_stream(agent: Agent, prompt: str) -> list[dict]:
    return [event async for event in agent.stream_async(prompt)]


def test_strands_agent_calls_the_tool_and_streams_its_result(bedrock: LocalBedrock) -> None:
    calls: list = []
    events = asyncio.run(strands_stream(strands_agent(calls), "add 40 and 2"))
    assert calls == [(40, 2)]
    assert [e["data"] for e in events if "data" in e] == ["The gateway's ", "tools___add tool says: ", "42"]
    raw = [e["event"] for e in events if "event" in e]  # Strands passes the Bedrock stream events on as they are
    assert {"contentBlockDelta": {"delta": {"text": "42"}, "contentBlockIndex": 0}} in raw
    first, second = bedrock.received
    assert (first["operation"], first["modelId"]) == ("ConverseStream", MODEL_ID)
    [spec] = first["body"]["toolConfig"]["tools"]
    assert spec["toolSpec"]["name"] == "tools___add"
    assert spec["toolSpec"]["inputSchema"]["json"]["required"] == ["a", "b"]
    [result] = second["body"]["messages"][-1]["content"]
    assert result["toolResult"]["content"] == [{"text": "42"}]


def test_strands_retries_a_throttle_and_recovers(bedrock: LocalBedrock) -> None:
    bedrock.use_script([{"error": {"type": "ThrottlingException", "in_stream": True}, "once": True},
                        *DEFAULT_TURNS])  # fmt: skip
    calls: list = []
    agent = strands_agent(calls, retry_strategy=ModelRetryStrategy(max_attempts=2, initial_delay=0))
    events = asyncio.run(strands_stream(agent, "add 40 and 2"))
    assert "".join(e["data"] for e in events if "data" in e) == ANSWER
    assert len(bedrock.received) == 3  # throttled, tool use, answer


@pytest.mark.parametrize("in_stream", [False, True])
def test_strands_surfaces_throttling_as_model_throttled(bedrock: LocalBedrock, monkeypatch, in_stream: bool) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # botocore would resend each HTTP 429 twice more
    bedrock.use_script([{"error": {"type": "ThrottlingException", "in_stream": in_stream}}])
    agent = strands_agent([], retry_strategy=ModelRetryStrategy(max_attempts=2, initial_delay=0))
    with pytest.raises(ModelThrottledException, match="Too many requests"):
        asyncio.run(strands_stream(agent, "hi"))
    assert len(bedrock.received) == 2  # one per Strands attempt


def test_strands_does_not_retry_a_validation_exception(bedrock: LocalBedrock) -> None:
    bedrock.use_script([{"error": {"type": "ValidationException", "message": "bad model input"}}])
    with pytest.raises(ClientError) as raised:
        asyncio.run(strands_stream(strands_agent([]), "hi"))
    assert raised.value.response["Error"] == {"Code": "ValidationException", "Message": "bad model input"}
    assert len(bedrock.received) == 1


def langchain_agent(calls: list, **options: Any):
    @langchain_tool("tools___add")
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        calls.append((a, b))
        return a + b

    return create_agent(model=ChatBedrockConverse(model=MODEL_ID, region_name="us-east-1", **options), tools=[add])


async def langchain_stream(agent, prompt: str) -> list:
    stream = agent.astream({"messages": [{"role": "user", "content": prompt}]}, stream_mode="messages")
    return [message async for message, _metadata in stream]


def test_langchain_agent_calls_the_tool_and_streams_content_blocks(bedrock: LocalBedrock) -> None:
    calls: list = []
    messages = asyncio.run(langchain_stream(langchain_agent(calls), "add 40 and 2"))
    assert calls == [(40, 2)]
    assert [m.content for m in messages if isinstance(m, ToolMessage)] == ["42"]
    chunks = [m for m in messages if isinstance(m, AIMessageChunk)]
    # The shape the generated main.py must handle: text arrives as a list of blocks, never as str.
    blocks = [block for chunk in chunks if isinstance(chunk.content, list) for block in chunk.content]
    texts = ["The gateway's ", "tools___add tool says: ", "42"]
    assert [b for b in blocks if b["type"] == "text"] == [{"type": "text", "text": t, "index": 0} for t in texts]
    tool_blocks = [b for b in blocks if b["type"] == "tool_use"]
    assert tool_blocks[0]["name"] == "tools___add"
    assert "".join(b.get("input", "") for b in tool_blocks) == '{"a": 40, "b": 2}'
    # main.py's filter today: `isinstance(message, AIMessage) and isinstance(message.content, str) and message.content`
    assert [m.content for m in chunks if isinstance(m.content, str) and m.content] == []
    assert [r["operation"] for r in bedrock.received] == ["ConverseStream", "ConverseStream"]
    assert bedrock.received[0]["body"]["toolConfig"]["tools"][0]["toolSpec"]["name"] == "tools___add"


def test_langchain_raises_an_in_stream_throttle_at_once(bedrock: LocalBedrock) -> None:
    bedrock.use_script([{"error": {"type": "ThrottlingException", "in_stream": True}}])
    with pytest.raises(EventStreamError) as raised:
        asyncio.run(langchain_stream(langchain_agent([]), "hi"))
    assert raised.value.response["Error"]["Code"] == "throttlingException"
    assert len(bedrock.received) == 1


def test_langchain_raises_an_http_throttle_after_botocore_retries(bedrock: LocalBedrock) -> None:
    bedrock.use_script([{"error": "ThrottlingException"}])
    with pytest.raises(ClientError) as raised:
        asyncio.run(langchain_stream(langchain_agent([], max_retries=1), "hi"))
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert len(bedrock.received) == 2  # max_retries=1: one retry
