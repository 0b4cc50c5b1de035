"""A gateway project's ``policies/*.cedar``: rendered, parsed once, validated, with ids people can read.

Rendering uses the values the infrastructure uses: ``{{ gateway_arn }}`` / ``{{ account_id }}`` (our
construct, ``py_infra/files/constructs/core/agentcore_gateway.py``) and the TypeScript plugin's EJS
``<%= gatewayArn %>`` / ``<%= accountId %>``. Cedar numbers policies ``policy0``, ``policy1``… per
parse and ignores ``@id`` in its reasons, so each file is parsed alone and its policies are put into
one set through Cedar's JSON form under ids of our choosing: ``permit-all.cedar`` for a file's only
policy, ``forbid.cedar#2`` (or ``forbid.cedar#<@id>``) when a file holds several. Cedar's messages carry
no position, so lines are found by re-parsing prefixes of the file (only on the error path).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cedarpy

from ..workspace.errors import UserError
from .schema import agentcore_schema, is_unknown_input_finding

_JINJA = re.compile(r"\{\{\s*(?P<name>\w+)\s*\}\}")  # exactly the construct's _PLACEHOLDER
_EJS = re.compile(r"<%[=-]?\s*(?P<name>.*?)\s*%>", re.S)
_EJS_NAMES = {"gatewayArn": "gateway_arn", "accountId": "account_id"}


class PolicyError(UserError):
    """Policies that do not render, parse or validate; each line of the message is ``file:line: problem``."""


@dataclass(frozen=True)
class Policy:
    """One policy statement: its id as users see it, where it is, and whether it permits or forbids."""

    id: str
    path: Path
    line: int
    effect: str


@dataclass(frozen=True)
class LoadedPolicies:
    """A validated, parsed policy set; ``named_tools`` are the actions some policy mentions, ``input_tools`` those
    a policy reading ``context`` may apply to (``None``: such a policy may apply to any tool)."""

    policies: tuple[Policy, ...]
    cedar: cedarpy.PolicySet
    named_tools: frozenset[str]
    signature: tuple[tuple[str, int, int], ...]
    input_tools: frozenset[str] | None = None

    def reads_input(self, tool: str) -> bool:
        """Whether a decision on ``tool`` may depend on the call's arguments."""
        return self.input_tools is None or tool in self.input_tools

    @property
    def permit_ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.policies if p.effect == "permit")

    def describe(self, policy_id: str) -> str:
        """``permit-all.cedar`` → ``permit-all.cedar (policies/permit-all.cedar:3)``."""
        found = next((p for p in self.policies if p.id == policy_id), None)
        return f"{policy_id} ({found.path}:{found.line})" if found else policy_id


def policy_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.cedar")) if folder.is_dir() else []


def signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when a policy file is added, removed or edited (names, mtimes, sizes): a few stats."""
    stats = []
    for path in policy_files(folder):
        try:
            st = path.stat()
        except OSError:  # removed between listing and stat: the next check sees it gone
            continue
        stats.append((path.name, st.st_mtime_ns, st.st_size))
    return tuple(stats)


def render(path: Path, text: str, values: Mapping[str, str]) -> str:
    """Fill both placeholder forms; an unknown one is an error naming ``file:line``."""

    def fill(match: re.Match[str]) -> str:
        name = _EJS_NAMES.get(match["name"], match["name"]) if match.re is _EJS else match["name"]
        if name not in values:
            line = text.count("\n", 0, match.start()) + 1
            known = ", ".join(f"{{{{ {k} }}}}" for k in values)
            raise PolicyError(f"{path}:{line}: unknown placeholder {match.group(0)} (known: {known}).")
        return values[name]

    return _EJS.sub(fill, _JINJA.sub(fill, text))


def load_policies(
    folder: Path, values: Mapping[str, str], inputs: Mapping[str, Mapping[str, Any]] | None = None
) -> LoadedPolicies:
    """Render, parse and validate every ``*.cedar`` in ``folder``; ``inputs`` maps tools to JSON input schemas."""
    before = signature(folder)
    problems: list[str] = []
    parsed: list[tuple[Path, str, list[Policy], list[dict[str, Any]]]] = []
    for path in policy_files(folder):
        try:
            text = render(path, path.read_text(encoding="utf-8"), values)
            policies, ests = _parse_file(path, text)
        except PolicyError as exc:
            problems.append(str(exc))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read ({exc}).")
            continue
        parsed.append((path, text, policies, ests))
    named = frozenset(tool for *_, ests in parsed for est in ests for tool in _actions(est))
    schema = agentcore_schema(named, inputs)
    for path, text, policies, _ in parsed:
        problems.extend(_validate(path, text, policies, schema, inputs))
    if problems:
        raise PolicyError("\n".join(problems))
    everything = [p for *_, policies, _ in parsed for p in policies]
    ests = {p.id: est for *_, policies, file_ests in parsed for p, est in zip(policies, file_ests, strict=True)}
    cedar = cedarpy.PolicySet.from_json_str(json.dumps({"staticPolicies": ests, "templates": {}, "templateLinks": []}))
    return LoadedPolicies(tuple(everything), cedar, named, before, _input_tools(ests.values()))


def _input_tools(ests: Iterable[dict[str, Any]]) -> frozenset[str] | None:
    """The tools some policy reading ``context`` may apply to; ``None`` when one's action scope is not a list of
    tools (``action``, ``action in CallTool``): then any decision may depend on the arguments."""
    tools: set[str] = set()
    for est in ests:
        if not any(_reads_context(condition) for condition in est.get("conditions") or ()):
            continue
        scope = est.get("action") or {}
        entities = [scope["entity"]] if "entity" in scope else scope.get("entities")
        if scope.get("op") not in ("==", "in") or not isinstance(entities, list):
            return None
        for entity in entities:
            if not isinstance(entity, dict) or entity.get("type") != "AgentCore::Action":
                return None
            if entity.get("id") in ("CallTool", "Mcp"):
                return None
            tools.add(entity.get("id"))
    return frozenset(tools)


def _reads_context(node: Any) -> bool:
    if isinstance(node, dict):
        return node.get("Var") == "context" or any(_reads_context(v) for v in node.values())
    return isinstance(node, list) and any(_reads_context(v) for v in node)


def _parse_file(path: Path, text: str) -> tuple[list[Policy], list[dict[str, Any]]]:
    try:
        est = json.loads(cedarpy.policies_to_json_str(text))
    except ValueError as exc:
        line = error_line(text, str(exc))
        start = max((n for n in statement_lines(text) if n <= line), default=line)
        at_end = text.splitlines()[line - 1].rstrip().endswith(";") if text else False  # noticed once complete
        where = f" (in the policy starting on line {start})" if at_end and start != line else ""
        raise PolicyError(f"{path}:{line}: {exc}{where}") from None
    if est.get("templates"):
        raise PolicyError(f"{path}:1: templates (?principal, ?resource slots) are not policies AgentCore can enforce.")
    statics: list[dict[str, Any]] = list(est["staticPolicies"].values())  # policy0, policy1, … in file order
    lines = statement_lines(text)
    policies: list[Policy] = []
    for n, (policy, line) in enumerate(zip(statics, lines, strict=False), 1):
        label = (policy.get("annotations") or {}).get("id") or str(n)
        policy_id = path.name if len(statics) == 1 else f"{path.name}#{label}"
        if any(p.id == policy_id for p in policies):
            raise PolicyError(f"{path}:{line}: two policies are both called {policy_id}; give them different @id.")
        policies.append(Policy(policy_id, path, line, policy["effect"]))
    return policies, statics


def _validate(path: Path, text: str, policies: list[Policy], schema: cedarpy.Schema, inputs: Any) -> Iterator[str]:
    result = cedarpy.validate_policies(text, schema)
    for error in result.errors:
        if is_unknown_input_finding(error.error, inputs):
            continue
        index = int(error.policy_id[6:]) if error.policy_id.startswith("policy") else -1
        line = policies[index].line if 0 <= index < len(policies) else 1
        message = re.sub(r"^for policy `policy\d+`, ", "", error.error)
        yield f"{path}:{line}: {message} ({policies[index].id if 0 <= index < len(policies) else path.name})"


def _actions(node: Any) -> Iterator[str]:
    """Every ``AgentCore::Action`` id mentioned in a policy's JSON form, in its scope or its conditions."""
    if isinstance(node, dict):
        if node.get("type") == "AgentCore::Action" and isinstance(node.get("id"), str):
            yield node["id"]
        for value in node.values():
            yield from _actions(value)
    elif isinstance(node, list):
        for value in node:
            yield from _actions(value)


def error_line(text: str, message: str) -> int:
    """The first line at which a prefix of ``text`` fails as the whole does (Cedar reports no position).

    That is the offending line for a token Cedar did not expect; for a problem Cedar notices only once
    a statement is complete (``'=' is not a valid operator``) it is the statement's last line.
    """
    lines = text.splitlines(keepends=True)
    for n in range(1, len(lines) + 1):
        try:
            cedarpy.policies_to_json_str("".join(lines[:n]))
        except ValueError as exc:
            if str(exc) == message:
                return n
    return max(len(lines), 1)


def statement_lines(text: str) -> list[int]:
    """The line each policy statement (or its first annotation) starts on, skipping comments and strings."""
    starts: list[int] = []
    line, between, i = 1, True, 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            line += 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            if i < 0:
                break
            continue
        elif char == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            line += text.count("\n", i, end)
            i = end
        elif char == ";":
            between = True
        elif between and not char.isspace():
            starts.append(line)
            between = False
        i += 1
    return starts
