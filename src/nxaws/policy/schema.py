"""The ``AgentCore`` Cedar schema a gateway's policies are validated against.

AgentCore generates this schema from the gateway's tool manifest (developer guide, "Policy schema
constraints" and "Policy scope"):

- principals ``AgentCore::IamEntity`` (IAM gateways: ``id`` = the caller's IAM ARN, no tags) and
  ``AgentCore::OAuthUser`` (JWT gateways: ``id`` = the token's ``sub``, the claims as tags);
- the resource ``AgentCore::Gateway`` (the gateway ARN);
- one action per tool, ``AgentCore::Action::"<target>___<tool>"``, member of ``CallTool``, itself a
  member of ``Mcp``;
- a context holding only ``input``, the tool's arguments typed from its JSON schema
  (string → String, integer → Long, boolean → Bool, number → decimal).

Offline we do not know the tools, so the schema declares the actions the policies name plus one
stand-in for every other tool (:data:`OTHER_TOOL`). An action whose input schema is unknown gets an
empty ``input`` record, and the validator's "attribute ``input.<x>`` not found" findings for it are
not errors (:func:`is_unknown_input_finding`): the deployed schema would decide them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import cedarpy

NAMESPACE = "AgentCore"
PRINCIPAL_TYPES = ("IamEntity", "OAuthUser")
# No tool is named this (tool names are `<target>___<tool>`); it stands for every tool no policy names.
OTHER_TOOL = "any other tool"
_UNKNOWN_INPUT = re.compile(r"attribute `input\.[^`]*` in context for (?P<action>.+) not found")


def input_type(json_schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """The Cedar schema type of a tool argument from its JSON schema (an unknown shape → empty record)."""
    kind = (json_schema or {}).get("type")
    if kind == "string":
        return {"type": "String"}
    if kind == "integer":
        return {"type": "Long"}
    if kind == "boolean":
        return {"type": "Boolean"}
    if kind == "number":
        return {"type": "Extension", "name": "decimal"}
    if kind == "array":
        return {"type": "Set", "element": input_type((json_schema or {}).get("items"))}
    properties = (json_schema or {}).get("properties") or {}
    required = set((json_schema or {}).get("required") or ())
    attributes = {
        name: {**input_type(spec), "required": name in required}
        for name, spec in properties.items()
        if isinstance(spec, Mapping) and spec.get("type") in (*_SCALARS, "array", "object")
    }
    return {"type": "Record", "attributes": attributes}


_SCALARS = ("string", "integer", "boolean", "number")


def agentcore_schema(actions: Iterable[str], inputs: Mapping[str, Mapping[str, Any]] | None = None) -> cedarpy.Schema:
    """A schema declaring ``actions`` (tool names) and :data:`OTHER_TOOL`; ``inputs``: tool → JSON input schema."""
    inputs = inputs or {}
    applies = {"principalTypes": list(PRINCIPAL_TYPES), "resourceTypes": ["Gateway"]}
    declared: dict[str, Any] = {"Mcp": {}, "CallTool": {"memberOf": [{"id": "Mcp"}]}}
    for action in sorted({*actions, OTHER_TOOL} - {"Mcp", "CallTool"}):
        context = {"type": "Record", "attributes": {"input": input_type(inputs.get(action))}}
        declared[action] = {"memberOf": [{"id": "CallTool"}], "appliesTo": {**applies, "context": context}}
    id_only = {"type": "Record", "attributes": {"id": {"type": "String"}}}
    entity_types = {
        "IamEntity": {"shape": id_only},
        "OAuthUser": {"shape": id_only, "tags": {"type": "String"}},
        "Gateway": {},
    }
    return cedarpy.Schema.from_json_str(json.dumps({NAMESPACE: {"entityTypes": entity_types, "actions": declared}}))


def is_unknown_input_finding(message: str, inputs: Mapping[str, Any] | None) -> bool:
    """A finding about ``context.input`` of an action whose input schema we were not given."""
    match = _UNKNOWN_INPUT.search(message)
    if match is None:
        return False
    tool = match["action"].removeprefix(f'{NAMESPACE}::Action::"').removesuffix('"')
    return tool not in (inputs or {})
