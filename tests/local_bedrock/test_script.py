"""Script files: JSON and YAML read alike; every mistake named with its file, turn and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nxaws.local_bedrock import DEFAULT_TURNS, ScriptError, load_script, parse_script
from nxaws.local_bedrock.script import LastMessage

YAML_SCRIPT = """\
- contains: weather
  tool_use: {name: "*___forecast", input: {city: Paris}}
- when: toolResult
  text: ["It is ", "{result}"]
  once: true
"""


def request(text: str, tools: tuple[str, ...] = ()) -> dict:
    specs = [{"toolSpec": {"name": name, "inputSchema": {"json": {}}}} for name in tools]
    return {"messages": [{"role": "user", "content": [{"text": text}]}], "toolConfig": {"tools": specs}}


def test_yaml_and_json_files_give_the_same_script(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(YAML_SCRIPT)
    (tmp_path / "s.json").write_text(
        '[{"contains": "weather", "tool_use": {"name": "*___forecast", "input": {"city": "Paris"}}},'
        ' {"when": "toolResult", "text": ["It is ", "{result}"], "once": true}]'
    )
    yaml_script, json_script = load_script(tmp_path / "s.yaml"), load_script(tmp_path / "s.json")
    assert yaml_script.turns == json_script.turns
    reply = yaml_script.answer(request("weather?", ("meteo___forecast",)))
    assert reply is not None and reply.turn == 1
    assert [(call.name, dict(call.input)) for call in reply.tool_calls] == [("meteo___forecast", {"city": "Paris"})]
    assert yaml_script.answer(request("weather?")) is None  # the pattern matches no offered tool: turn skipped


def test_the_default_script_is_written_in_the_script_format() -> None:
    script = parse_script(DEFAULT_TURNS)
    reply = script.answer(request("add", ("calc___add",)))
    assert reply is not None and reply.stop_reason == "tool_use" and reply.tool_calls[0].name == "calc___add"


@pytest.mark.parametrize(("data", "problem"), [
    ({"text": "x"}, "must be a non-empty list of turns, not a dict"),
    ([], "must be a non-empty list of turns"),
    (["hello"], "turn 1: a turn is an object, not a str"),
    ([{"text": "ok"}, {"txt": "typo"}], "turn 2: unknown key 'txt' in a turn (known: contains,"),
    ([{"contains": "x"}], "turn 1: a turn answers with 'text', 'tool_use' or 'error'"),
    ([{"when": "tool", "text": "x"}], "'when' is one of text, toolResult, any, not 'tool'"),
    ([{"regex": "(", "text": "x"}], "'regex' '(' does not compile"),
    ([{"text": ["a", 1]}], "'text' is a string or a list of strings"),
    ([{"tool_use": {"input": {}}}], "a 'tool_use' needs a 'name'"),
    ([{"tool_use": {"name": "t", "input": [1]}}], "the 'input' of tool_use 't' is an object, not a list"),
    ([{"tool_use": {"name": "t", "args": {}}}], "unknown key 'args' in a tool_use"),
    ([{"error": "SlowDown"}], "error type 'SlowDown' is not one sent by Converse/ConverseStream; one of:"),
    ([{"error": {"type": "AccessDeniedException", "in_stream": True}}], "is not one sent in a stream"),
    ([{"error": "ThrottlingException", "text": "x"}], "set 'in_stream': true"),
    ([{"text": "x", "once": True, "times": 2}], "give 'once' or 'times', not both"),
    ([{"text": "x", "times": 0}], "'times' is a whole number of at least 1"),
    ([{"text": "x", "stop_reason": "done"}], "'stop_reason' is one of end_turn, tool_use"),
])  # fmt: skip
def test_script_mistakes_are_named(data, problem: str) -> None:
    with pytest.raises(ScriptError) as raised:
        parse_script(data, "my-script.json")
    assert str(raised.value).startswith("Script my-script.json")
    assert problem in str(raised.value)


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("bad.json", '[{"text": "x"},]', "Script {path} is not valid JSON: Expecting value: line 1"),
    ("bad.yaml", "- text: [unclosed", "Script {path} is not valid YAML"),
    ("missing.json", None, "Cannot read script {path}: No such file or directory."),
])  # fmt: skip
def test_unreadable_files_are_named(tmp_path: Path, name: str, text: str | None, problem: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    with pytest.raises(ScriptError) as raised:
        load_script(path)
    assert problem.format(path=path) in str(raised.value)


def test_times_counts_matches_and_a_new_script_starts_afresh() -> None:
    data = [{"text": "first", "times": 2}, {"when": "any", "text": "after"}]
    script = parse_script(data)
    answers = [script.answer(request("x")) for _ in range(3)]
    assert [reply.text for reply in answers if reply] == [("first",), ("first",), ("after",)]
    assert parse_script(data).answer(request("x")).text == ("first",)  # type: ignore[union-attr]


def test_last_message_reads_prompts_results_and_the_tool_that_produced_them() -> None:
    messages = [
        {"role": "user", "content": [{"text": "add"}]},
        {"role": "assistant", "content": [{"text": "ok"}, {"toolUse": {"toolUseId": "t9", "name": "a___add"}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t9", "content": [{"text": "4"}, {"json": [2]}]}}]},
    ]
    last = LastMessage.of({"messages": messages})
    assert (last.prompt, last.results, last.has_results, last.tool, last.tools) == ("", "4 [2]", True, "a___add", ())
    assert LastMessage.of({}).placeholders()["{tools}"] == "none"


def test_the_readme_example_script_does_what_it_says() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Local AWS stand-ins", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    script = parse_script(yaml.safe_load(example), "README.md")
    asked = script.answer(request("weather in Paris?", ("meteo___forecast",)))
    assert asked is not None and asked.tool_calls[0].name == "meteo___forecast"
    result = {"toolResult": {"toolUseId": asked.tool_calls[0].id, "content": [{"text": "sunny"}]}}
    answered = script.answer({"messages": [{"role": "user", "content": [result]}]})
    assert answered is not None and "".join(answered.text) == "It is sunny in Paris."
    refused = script.answer(request("anything else"))
    assert refused is not None and refused.error is not None and refused.error.code == "ThrottlingException"
