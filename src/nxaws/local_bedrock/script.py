"""Scripts: which answer the stand-in gives to which request (the format is in the package docstring)."""

from __future__ import annotations

import fnmatch
import json
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..workspace.errors import UserError
from .shapes import service_facts

WHEN = ("text", "toolResult", "any")  # not "on": YAML 1.1 reads that key as True
TURN_KEYS = ("contains", "regex", "when", "once", "times", "text", "tool_use", "error", "stop_reason")
ERROR_KEYS = ("type", "message", "in_stream")
DEFAULT_MESSAGES = {"ThrottlingException": "Too many requests, please wait before trying again."}

# The built-in script, in the script format itself: call the gateway's add tool (or whoami, when asked),
# then answer with what the tool returned.
DEFAULT_TURNS: list[dict[str, Any]] = [
    {"when": "toolResult", "text": ["The gateway's ", "{tool} tool says: ", "{result}"]},
    {"contains": "whoami", "tool_use": {"name": "*___whoami", "input": {}}},
    {"tool_use": {"name": "*___add", "input": {"a": 40, "b": 2}}},
    {"when": "any", "text": "No tool ending in ___add was offered (tools: {tools})."},
]


class ScriptError(UserError):
    """A script cannot be used; the message names its source, the turn and the problem."""


@dataclass(frozen=True)
class ToolUse:
    """A tool the model calls: ``name`` exact, or a pattern (``*___add``) matched against the request's tools."""

    name: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """A tool use as answered: name resolved, id assigned."""

    id: str
    name: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class ScriptedError:
    """An error the service sends: as an HTTP error, or (``in_stream``) as an exception event of the stream."""

    code: str
    message: str
    in_stream: bool = False


@dataclass(frozen=True)
class Reply:
    """One answer: a text block streamed as ``text`` deltas, tool uses, and the stop reason (or an error)."""

    text: tuple[str, ...] = ()
    tool_calls: tuple[ToolCall, ...] = ()
    stop_reason: str = "end_turn"
    error: ScriptedError | None = None
    turn: int = 0  # which turn of the script answered (1-based)


@dataclass(frozen=True)
class LastMessage:
    """What a turn matches on: the request's last message, and the tools the request offers."""

    prompt: str  # its text blocks
    results: str  # the content of its toolResult blocks
    has_results: bool
    tool: str  # the name of the tool whose result it carries (from the assistant's earlier toolUse)
    tools: tuple[str, ...]

    @classmethod
    def of(cls, request: Mapping[str, Any]) -> LastMessage:
        messages = request.get("messages") or []
        content = messages[-1].get("content", []) if messages and messages[-1].get("role") == "user" else []
        prompt = "\n".join(block["text"] for block in content if isinstance(block.get("text"), str))
        results = [block["toolResult"] for block in content if isinstance(block.get("toolResult"), dict)]
        tool_specs = (request.get("toolConfig") or {}).get("tools") or []
        return cls(
            prompt=prompt,
            results="\n".join(_result_text(result) for result in results),
            has_results=bool(results),
            tool=_tool_name(messages, results[-1].get("toolUseId")) if results else "",
            tools=tuple(spec["toolSpec"]["name"] for spec in tool_specs if "toolSpec" in spec),
        )

    def placeholders(self) -> dict[str, str]:
        tools = ", ".join(self.tools) or "none"
        return {"{prompt}": self.prompt, "{result}": self.results, "{tool}": self.tool, "{tools}": tools}


def _result_text(result: Mapping[str, Any]) -> str:
    parts = []
    for item in result.get("content") or []:
        if "text" in item:
            parts.append(str(item["text"]))
        elif "json" in item:
            parts.append(json.dumps(item["json"]))
    return " ".join(parts)


def _tool_name(messages: Sequence[Mapping[str, Any]], tool_use_id: Any) -> str:
    for message in reversed(messages):
        for block in message.get("content") or []:
            use = block.get("toolUse")
            if isinstance(use, dict) and use.get("toolUseId") == tool_use_id:
                return str(use.get("name", ""))
    return ""


@dataclass(frozen=True)
class Turn:
    """One scripted answer and the requests it answers."""

    contains: str | None = None
    regex: re.Pattern[str] | None = None
    when: str = "text"
    times: int | None = None
    text: tuple[str, ...] = ()
    tool_uses: tuple[ToolUse, ...] = ()
    error: ScriptedError | None = None
    stop_reason: str | None = None

    def reply_to(self, last: LastMessage) -> Reply | None:
        """The answer to a request whose last message is ``last``, or None when this turn does not match."""
        if (self.when == "text" and last.has_results) or (self.when == "toolResult" and not last.has_results):
            return None
        subject = {"text": last.prompt, "toolResult": last.results}.get(self.when, f"{last.prompt}\n{last.results}")
        if self.contains is not None and self.contains not in subject:
            return None
        if self.regex is not None and not self.regex.search(subject):
            return None
        calls = []
        for use in self.tool_uses:
            name = _resolve(use.name, last.tools)
            if name is None:
                return None
            calls.append(ToolCall(f"tooluse_{uuid.uuid4().hex[:22]}", name, use.input))
        values = last.placeholders()
        text = tuple(_fill(chunk, values) for chunk in self.text)
        stop = self.stop_reason or ("tool_use" if calls else "end_turn")
        return Reply(text=text, tool_calls=tuple(calls), stop_reason=stop, error=self.error)


def _resolve(name: str, tools: Sequence[str]) -> str | None:
    if not any(c in name for c in "*?["):
        return name
    return next((tool for tool in tools if fnmatch.fnmatchcase(tool, name)), None)


def _fill(chunk: str, values: Mapping[str, str]) -> str:
    # Plain replacement of known names only, so braces in scripted JSON or code stay as written.
    for key, value in values.items():
        chunk = chunk.replace(key, value)
    return chunk


class Script:
    """Turns tried in order for each request; the first that matches answers (and counts against ``times``)."""

    def __init__(self, turns: Sequence[Turn], source: str = "<script>") -> None:
        self.turns = tuple(turns)
        self.source = source
        self._used = [0] * len(self.turns)
        self._lock = threading.Lock()

    def answer(self, request: Mapping[str, Any]) -> Reply | None:
        last = LastMessage.of(request)
        with self._lock:
            for index, turn in enumerate(self.turns):
                if turn.times is not None and self._used[index] >= turn.times:
                    continue
                reply = turn.reply_to(last)
                if reply is not None:
                    self._used[index] += 1
                    return replace(reply, turn=index + 1)
        return None


def default_script() -> Script:
    """The built-in script (``DEFAULT_TURNS``): a fresh one, with its own ``once`` counters."""
    return parse_script(DEFAULT_TURNS, "the built-in default script")


def load_script(path: str | Path) -> Script:
    """Read a JSON or (``.yaml``/``.yml``) YAML script file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScriptError(f"Cannot read script {path}: {exc.strerror or exc}.") from None
    if path.suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ScriptError(f"Script {path} is not valid YAML: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScriptError(f"Script {path} is not valid JSON: {exc}.") from None
    return parse_script(data, str(path))


def parse_script(data: Any, source: str = "<script>") -> Script:
    """Check a script given as data (a list of turn objects) and build it; ``ScriptError`` names what is wrong."""
    if not isinstance(data, list) or not data:
        raise ScriptError(f"Script {source} must be a non-empty list of turns, not {_kind(data)}.")
    turns = []
    for index, item in enumerate(data, start=1):
        try:
            turns.append(_turn(item))
        except ValueError as exc:
            raise ScriptError(f"Script {source}, turn {index}: {exc}") from None
    return Script(turns, source)


def _turn(item: Any) -> Turn:
    if not isinstance(item, dict):
        raise ValueError(f"a turn is an object, not {_kind(item)}.")
    _only(item, TURN_KEYS, "turn")
    contains = _optional(item, "contains", str)
    regex = _optional(item, "regex", str)
    when = item.get("when", "text")
    if when not in WHEN:
        raise ValueError(f"'when' is one of {', '.join(WHEN)}, not {when!r}.")
    text = _text(item.get("text", ()))
    tool_uses = tuple(_tool_use(use) for use in _listed(item.get("tool_use", ())))
    error = _error(item["error"]) if "error" in item else None
    if not (text or tool_uses or error):
        raise ValueError("a turn answers with 'text', 'tool_use' or 'error'.")
    if error and not error.in_stream and (text or tool_uses):
        raise ValueError("an error sent as an HTTP error carries no text or tool_use; set 'in_stream': true.")
    stop_reason = _optional(item, "stop_reason", str)
    if stop_reason is not None and stop_reason not in service_facts().stop_reasons:
        raise ValueError(f"'stop_reason' is one of {', '.join(service_facts().stop_reasons)}.")
    try:
        pattern = re.compile(regex) if regex is not None else None
    except re.error as exc:
        raise ValueError(f"'regex' {regex!r} does not compile: {exc}.") from None
    return Turn(contains, pattern, when, _times(item), text, tool_uses, error, stop_reason)


def _times(item: Mapping[str, Any]) -> int | None:
    once, times = item.get("once", False), item.get("times")
    if not isinstance(once, bool):
        raise ValueError("'once' is true or false.")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError("'times' is a whole number of at least 1.")
    if once and times is not None:
        raise ValueError("give 'once' or 'times', not both.")
    return 1 if once else times


def _text(value: Any) -> tuple[str, ...]:
    chunks = _listed(value)
    if not all(isinstance(chunk, str) for chunk in chunks):
        raise ValueError("'text' is a string or a list of strings (one delta each).")
    return tuple(chunks)


def _tool_use(value: Any) -> ToolUse:
    if not isinstance(value, dict):
        raise ValueError(f"a 'tool_use' is an object {{name, input}}, not {_kind(value)}.")
    _only(value, ("name", "input"), "tool_use")
    name, arguments = value.get("name"), value.get("input", {})
    if not isinstance(name, str) or not name:
        raise ValueError("a 'tool_use' needs a 'name' (exact, or a pattern such as '*___add').")
    if not isinstance(arguments, dict):
        raise ValueError(f"the 'input' of tool_use {name!r} is an object, not {_kind(arguments)}.")
    return ToolUse(name, arguments)


def _error(value: Any) -> ScriptedError:
    spec = {"type": value} if isinstance(value, str) else value
    if not isinstance(spec, dict):
        raise ValueError(f"'error' is an error type or an object {{type, message, in_stream}}, not {_kind(value)}.")
    _only(spec, ERROR_KEYS, "error")
    code, in_stream = spec.get("type"), spec.get("in_stream", False)
    if not isinstance(in_stream, bool):
        raise ValueError("'in_stream' is true or false.")
    facts = service_facts()
    known = facts.stream_errors if in_stream else facts.error_status
    if code not in known:
        where = "in a stream" if in_stream else "by Converse/ConverseStream"
        raise ValueError(f"error type {code!r} is not one sent {where}; one of: {', '.join(known)}.")
    message = spec.get("message", DEFAULT_MESSAGES.get(code, f"local-bedrock: scripted {code}"))
    if not isinstance(message, str):
        raise ValueError("an error's 'message' is a string.")
    return ScriptedError(code, message, in_stream)


def _only(item: Mapping[str, Any], allowed: Sequence[str], what: str) -> None:
    unknown = [key for key in item if key not in allowed]
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in a {what} (known: {', '.join(allowed)}).")


def _optional(item: Mapping[str, Any], key: str, kind: type) -> Any:
    value = item.get(key)
    if value is not None and not isinstance(value, kind):
        raise ValueError(f"{key!r} is a {kind.__name__}, not {_kind(value)}.")
    return value


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"a {type(value).__name__}"
