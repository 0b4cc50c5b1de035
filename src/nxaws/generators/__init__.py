"""The generator registry. Each generator is one folder: ``schema.json``, ``generator.py``, ``files/``."""

from __future__ import annotations

import copy
import importlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from ..workspace.tree import Tree

# Generator ids are the TypeScript plugin's, so guides written for it work unchanged.
GENERATORS: dict[str, str] = {
    "py#project": "py_project",
    "py#agent": "py_agent",
    "py#mcp-server": "py_mcp_server",
    "agentcore-gateway": "agentcore_gateway",
    "connection": "connection",
    "py#infra": "py_infra",
}
# `nxaws new` runs through the same engine but is not offered by `nxaws g` or the Nx plugin.
WORKSPACE_GENERATORS: dict[str, str] = {"new": "new"}
HERE = Path(__file__).parent


@dataclass
class Result:
    """What a generator asks for after its files are written."""

    install: set[str] = field(default_factory=set)  # "uv" and/or "npm"
    next_steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def merge(self, other: Result) -> Result:
        self.install |= other.install
        self.next_steps += [s for s in other.next_steps if s not in self.next_steps]
        self.warnings += [w for w in other.warnings if w not in self.warnings]
        return self


class GenerateFn(Protocol):
    def __call__(self, tree: Tree, options: dict[str, Any]) -> Result: ...


@cache
def _schema_file(generator_id: str) -> dict[str, Any]:
    return json.loads((HERE / folder(generator_id) / "schema.json").read_text())


def schema(generator_id: str) -> dict[str, Any]:
    """The generator's options schema (Nx's format). Choices of known things (frameworks) come from their
    registry, so a new framework needs no schema edit."""
    spec = copy.deepcopy(_schema_file(generator_id))
    framework = spec["properties"].get("framework")
    if framework is not None and framework.get("x-choices") == "frameworks":
        from .. import frameworks

        framework["enum"] = frameworks.names()
    return spec


def default(generator_id: str, option: str) -> Any:
    """An option's default: set once, in the generator's schema."""
    return _schema_file(generator_id)["properties"][option].get("default")


def folder(generator_id: str) -> str:
    try:
        return (GENERATORS | WORKSPACE_GENERATORS)[generator_id]
    except KeyError:
        from ..workspace.errors import UsageError

        known = ", ".join(GENERATORS)
        raise UsageError(f"Unknown generator '{generator_id}'. Available generators: {known}.") from None


def load(generator_id: str) -> GenerateFn:
    module = importlib.import_module(f"{__name__}.{folder(generator_id)}.generator")
    return module.generate
