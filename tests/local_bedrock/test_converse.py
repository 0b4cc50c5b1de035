"""Converse and ConverseStream through a real boto3 client, and the raw frames checked against the service model."""

from __future__ import annotations

import json

import botocore.session
import httpx
from botocore.eventstream import EventStreamBuffer
from botocore.validate import ParamValidator

from nxaws.local_bedrock import MAX_RECORDED, MAX_RECORDED_BYTES, LocalBedrock

from .conftest import ADD_TOOL, MODEL_ID, user

TOOLS = {"tools": [ADD_TOOL]}
STREAM_SHAPE = (
    botocore.session.get_session()
    .get_service_model("bedrock-runtime")
    .operation_model("ConverseStream")
    .output_shape.members["stream"]
)


def tool_result(request_messages: list, answer: dict, text: str) -> list:
    """The conversation after the assistant's tool use and our tool's result."""
    use = next(block["toolUse"] for block in answer["content"] if "toolUse" in block)
    result = {"toolResult": {"toolUseId": use["toolUseId"], "content": [{"text": text}], "status": "success"}}
    return [*request_messages, answer, {"role": "user", "content": [result]}]


def test_converse_answers_scripted_text(bedrock: LocalBedrock, client) -> None:
    bedrock.use_script([{"text": ["Hello", ", world"]}])
    response = client.converse(modelId=MODEL_ID, messages=[user("hi")])
    assert response["output"] == {"message": {"role": "assistant", "content": [{"text": "Hello, world"}]}}
    assert response["stopReason"] == "end_turn"
    assert set(response["usage"]) == {"inputTokens", "outputTokens", "totalTokens"}
    assert response["metrics"]["latencyMs"] >= 0


def test_converse_default_script_calls_add_then_reports_its_result(bedrock: LocalBedrock, client) -> None:
    messages = [user("add 40 and 2")]
    first = client.converse(modelId=MODEL_ID, messages=messages, toolConfig=TOOLS)
    assert first["stopReason"] == "tool_use"
    [block] = first["output"]["message"]["content"]
    assert block["toolUse"]["name"] == "tools___add" and block["toolUse"]["input"] == {"a": 40, "b": 2}
    second = client.converse(modelId=MODEL_ID, messages=tool_result(messages, first["output"]["message"], "42"),
                             toolConfig=TOOLS)  # fmt: skip
    assert second["output"]["message"]["content"] == [{"text": "The gateway's tools___add tool says: 42"}]
    assert [r["body"]["toolConfig"]["tools"][0]["toolSpec"]["name"] for r in bedrock.received] == ["tools___add"] * 2


def test_converse_stream_yields_the_service_event_sequence_for_a_tool_use(bedrock: LocalBedrock, client) -> None:
    response = client.converse_stream(modelId=MODEL_ID, messages=[user("add")], toolConfig=TOOLS)
    events = list(response["stream"])
    tool_use_id = events[1]["contentBlockStart"]["start"]["toolUse"]["toolUseId"]
    assert events[:-1] == [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockStart": {"contentBlockIndex": 0, "start": {"toolUse": {"toolUseId": tool_use_id,
                                                                             "name": "tools___add"}}}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"toolUse": {"input": '{"a": 40, "b": 2'}}}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"toolUse": {"input": "}"}}}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "tool_use"}},
    ]  # fmt: skip
    assert set(events[-1]["metadata"]) == {"usage", "metrics"}


def test_converse_stream_text_then_tool_uses(bedrock: LocalBedrock, client) -> None:
    bedrock.use_script([{"text": ["Let me ", "check."], "tool_use": [
        {"name": "*___add", "input": {"a": 1, "b": 2}}, {"name": "math___*", "input": {"q": "ü" * 40}}]}])  # fmt: skip
    tools = {"tools": [{"toolSpec": {"name": n, "inputSchema": {"json": {}}}} for n in ("calc___add", "math___sq")]}
    events = list(client.converse_stream(modelId=MODEL_ID, messages=[user("go")], toolConfig=tools)["stream"])
    assert [next(iter(e)) for e in events[:4]] == ["messageStart", "contentBlockDelta", "contentBlockDelta",
                                                   "contentBlockStop"]  # fmt: skip
    assert "".join(e["contentBlockDelta"]["delta"]["text"] for e in events[1:3]) == "Let me check."
    starts = [e["contentBlockStart"] for e in events if "contentBlockStart" in e]
    assert [(s["contentBlockIndex"], s["start"]["toolUse"]["name"]) for s in starts] == [(1, "calc___add"),
                                                                                         (2, "math___sq")]  # fmt: skip
    inputs: dict[int, str] = {}
    for event in events:
        if "toolUse" in event.get("contentBlockDelta", {}).get("delta", {}):
            delta = event["contentBlockDelta"]
            inputs[delta["contentBlockIndex"]] = (
                inputs.get(delta["contentBlockIndex"], "") + delta["delta"]["toolUse"]["input"]
            )
    assert {i: json.loads(s) for i, s in inputs.items()} == {1: {"a": 1, "b": 2}, 2: {"q": "ü" * 40}}
    assert events[-2] == {"messageStop": {"stopReason": "tool_use"}}


def test_raw_frames_follow_the_service_model(bedrock: LocalBedrock) -> None:
    """Decoded by botocore's own buffer (CRCs checked); every payload validates against its event shape."""
    bedrock.use_script([{"text": ["a", "b"], "tool_use": {"name": "tools___add", "input": {"a": 1}}}])
    body = {"messages": [user("x")], "toolConfig": TOOLS}
    response = httpx.post(f"{bedrock.url}/model/{MODEL_ID}/converse-stream", json=body, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    buffer = EventStreamBuffer()
    buffer.add_data(response.content)
    messages = list(buffer)
    assert [m.headers[":event-type"] for m in messages] == [
        "messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop",
        "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata",
    ]  # fmt: skip
    for message in messages:
        assert message.headers[":message-type"] == "event"
        assert message.headers[":content-type"] == "application/json"
        shape = STREAM_SHAPE.members[message.headers[":event-type"]]
        report = ParamValidator().validate(json.loads(message.payload), shape)
        assert not report.has_errors(), report.generate_report()


def test_model_ids_with_colons_and_arns_with_slashes_arrive_whole(bedrock: LocalBedrock, client) -> None:
    bedrock.use_script([{"text": "ok"}])
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
    for model_id in (MODEL_ID, arn):
        client.converse(modelId=model_id, messages=[user("hi")])
        list(client.converse_stream(modelId=model_id, messages=[user("hi")])["stream"])
    assert [(r["operation"], r["modelId"]) for r in bedrock.received] == [
        ("Converse", MODEL_ID), ("ConverseStream", MODEL_ID), ("Converse", arn), ("ConverseStream", arn)]  # fmt: skip
    assert all(r["signed"] for r in bedrock.received)


def test_the_recorded_requests_are_served_over_http(bedrock: LocalBedrock, client) -> None:
    client.converse(modelId=MODEL_ID, messages=[user("add")], toolConfig=TOOLS, system=[{"text": "be brief"}])
    [seen] = httpx.get(f"{bedrock.url}/_nxaws/requests", timeout=5).json()
    assert seen["body"]["messages"] == [user("add")]
    assert seen["body"]["system"] == [{"text": "be brief"}]
    assert seen["body"]["toolConfig"] == TOOLS
    assert httpx.delete(f"{bedrock.url}/_nxaws/requests", timeout=5).status_code == 200
    assert bedrock.received == []


def test_default_script_whoami_and_no_tool(bedrock: LocalBedrock, client) -> None:
    whoami = {"toolSpec": {"name": "tools___whoami", "inputSchema": {"json": {}}}}
    both = {"tools": [ADD_TOOL, whoami]}
    answer = client.converse(modelId=MODEL_ID, messages=[user("whoami?")], toolConfig=both)["output"]["message"]
    assert answer["content"][0]["toolUse"]["name"] == "tools___whoami"
    after = client.converse(modelId=MODEL_ID, messages=tool_result([user("whoami?")], answer, "sess-7"),
                            toolConfig=both)  # fmt: skip
    assert after["output"]["message"]["content"] == [{"text": "The gateway's tools___whoami tool says: sess-7"}]
    plain = client.converse(modelId=MODEL_ID, messages=[user("add")])
    assert plain["output"]["message"]["content"] == [{"text": "No tool ending in ___add was offered (tools: none)."}]


def test_matching_on_substrings_regexes_tool_results_and_once(bedrock: LocalBedrock, client) -> None:
    bedrock.use_script([
        {"when": "toolResult", "regex": r"^\d+$", "text": "number {result} from {tool}"},
        {"when": "toolResult", "text": "other result"},
        {"contains": "hello", "once": True, "text": "first hello"},
        {"regex": "hel+o", "text": "later hello to {prompt}"},
        {"when": "any", "text": "fallback ({tools})"},
    ])  # fmt: skip

    def say(messages: list) -> str:
        response = client.converse(modelId=MODEL_ID, messages=messages, toolConfig=TOOLS)
        return response["output"]["message"]["content"][0]["text"]

    assert say([user("hello")]) == "first hello"
    assert say([user("hello")]) == "later hello to hello"
    assert say([user("bye")]) == "fallback (tools___add)"
    asked = {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "tools___add", "input": {}}}]}
    assert say(tool_result([user("add")], asked, "42")) == "number 42 from tools___add"
    assert say(tool_result([user("add")], asked, "n/a")) == "other result"


def test_json_tool_results_are_matched_as_json_text(bedrock: LocalBedrock, client) -> None:
    bedrock.use_script([{"when": "toolResult", "contains": '"sum": 42', "text": "{result}"}])
    asked = {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "tools___add", "input": {}}}]}
    result = {"toolResult": {"toolUseId": "t1", "content": [{"json": {"sum": 42}}]}}
    messages = [user("add"), asked, {"role": "user", "content": [result]}]
    answer = client.converse(modelId=MODEL_ID, messages=messages)["output"]["message"]["content"]
    assert answer == [{"text": '{"sum": 42}'}]


def test_the_record_keeps_the_newest_requests_within_its_limits() -> None:
    server = LocalBedrock()
    try:
        for number in range(MAX_RECORDED + 5):
            server.record("Converse", "m", False, {"n": number}, size=10)
        assert [entry["body"]["n"] for entry in server.received] == list(range(5, MAX_RECORDED + 5))
        server.record("Converse", "m", False, {"n": "big"}, size=MAX_RECORDED_BYTES)
        assert [entry["body"]["n"] for entry in server.received] == ["big"]
    finally:
        server.server_close()
