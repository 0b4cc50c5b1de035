"""A ``Reply`` as the service sends it: a ``ConverseResponse`` body, or ``ConverseStreamOutput`` event frames.

Member names and nesting follow the bedrock-runtime service model (``ConverseOutput.message``,
``ContentBlockDeltaEvent.delta``, ``ToolUseBlockDelta.input`` as a JSON *string* ...). As with the real
service, a text block has no ``contentBlockStart`` (``ContentBlockStart`` has no text member); a tool use
opens with one naming the tool, then streams its input as JSON fragments.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from .eventstream import event_frame, exception_frame
from .script import Reply
from .shapes import service_facts

INPUT_FRAGMENT = 16  # characters of tool-input JSON per delta, so clients must join fragments


def usage(request: dict[str, Any], reply: Reply) -> dict[str, int]:
    """A deterministic ``TokenUsage``: about four characters a token."""
    spent = len(json.dumps(request.get("messages", []))) // 4 + 1
    made = (sum(map(len, reply.text)) + sum(len(json.dumps(call.input)) for call in reply.tool_calls)) // 4 + 1
    return {"inputTokens": spent, "outputTokens": made, "totalTokens": spent + made}


def converse_body(request: dict[str, Any], reply: Reply, started: float) -> dict[str, Any]:
    """The JSON body of a ``Converse`` answer."""
    content: list[dict[str, Any]] = [{"text": "".join(reply.text)}] if reply.text else []
    content += [
        {"toolUse": {"toolUseId": call.id, "name": call.name, "input": dict(call.input)}} for call in reply.tool_calls
    ]
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": reply.stop_reason,
        "usage": usage(request, reply),
        "metrics": {"latencyMs": _elapsed_ms(started)},
    }


def stream_frames(request: dict[str, Any], reply: Reply, started: float) -> Iterator[bytes]:
    """The event frames of a ``ConverseStream`` answer, ending in an exception event for an in-stream error."""
    yield event_frame("messageStart", {"role": "assistant"})
    index = 0
    if reply.text:
        for chunk in reply.text:
            yield event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": chunk}})
        yield event_frame("contentBlockStop", {"contentBlockIndex": index})
        index += 1
    for call in reply.tool_calls:
        start = {"toolUse": {"toolUseId": call.id, "name": call.name}}
        yield event_frame("contentBlockStart", {"contentBlockIndex": index, "start": start})
        arguments = json.dumps(dict(call.input))
        for at in range(0, len(arguments), INPUT_FRAGMENT):
            delta = {"toolUse": {"input": arguments[at : at + INPUT_FRAGMENT]}}
            yield event_frame("contentBlockDelta", {"contentBlockIndex": index, "delta": delta})
        yield event_frame("contentBlockStop", {"contentBlockIndex": index})
        index += 1
    if reply.error is not None:
        yield exception_frame(service_facts().stream_errors[reply.error.code], reply.error.message)
        return
    yield event_frame("messageStop", {"stopReason": reply.stop_reason})
    metrics = {"latencyMs": _elapsed_ms(started)}
    yield event_frame("metadata", {"usage": usage(request, reply), "metrics": metrics})


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
