"""``connection``: find the one supported pair of components and hand over to its generator (reference §6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...workspace.errors import UserError
from ...workspace.projects import Project, Workspace
from ...workspace.tree import Tree
from .. import Result


@dataclass(frozen=True)
class Candidate:
    type: str
    component: dict[str, Any] | None  # None: the project itself

    @property
    def label(self) -> str:
        name = (self.component or {}).get("name")
        return f"{name} ({self.type})" if name else self.type


def _agent_gateway(*args: Any) -> Result:
    from .agent_gateway import connect

    return connect(*args)


def _gateway_mcp(*args: Any) -> Result:
    from .gateway_mcp import connect

    return connect(*args)


Connect = Callable[[Tree, Workspace, Project, Project, Candidate, Candidate, dict[str, Any]], Result]
SUPPORTED: dict[tuple[str, str], Connect] = {
    ("py#agent", "agentcore-gateway"): _agent_gateway,
    ("agentcore-gateway", "py#mcp-server"): _gateway_mcp,
}


def project_type(project: Project) -> str | None:
    return "agentcore-gateway" if project.metadata.get("generator") == "agentcore-gateway" else None


def candidates(project: Project) -> list[Candidate]:
    found = [Candidate(kind, None)] if (kind := project_type(project)) else []
    found += [Candidate(str(c.get("generator")), c) for c in project.components if c.get("generator")]
    return found


def find_component(project: Project, ref: str) -> dict[str, Any] | None:
    for key in ("name", "path", "generator"):
        for component in project.components:
            if component.get(key) == ref:
                return component
    return None


def narrow(project: Project, ref: str | None, side: str, options: list[Candidate]) -> list[Candidate]:
    if ref is None:
        return options
    if ref == ".":
        return [c for c in options if c.component is None]
    component = find_component(project, ref)
    if component is None:
        names = ", ".join(str(c.get("name") or c.get("generator")) for c in project.components) or "none"
        raise UserError(f"Component '{ref}' not found in {side} project {project.name}. Available components: {names}")
    index = 0 if side == "source" else 1
    if any(pair[index] == component.get("generator") for pair in SUPPORTED):
        return [Candidate(str(component["generator"]), component)]
    return options


def _types(found: list[Candidate]) -> str:
    kinds = list(dict.fromkeys(c.type for c in found))
    return f" ({', '.join(kinds)})" if kinds else ""


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    source = workspace.get(options["sourceProject"])
    target = workspace.get(options["targetProject"])
    all_sources, all_targets = candidates(source), candidates(target)
    sources = narrow(source, options.get("sourceComponent"), "source", all_sources)
    targets = narrow(target, options.get("targetComponent"), "target", all_targets)
    matches = [(s, t) for s in sources for t in targets if (s.type, t.type) in SUPPORTED]
    if not matches:
        raise UserError(
            f"This generator does not support a connection from {options['sourceProject']}{_types(all_sources)} "
            f"to {options['targetProject']}{_types(all_targets)}. Supported: "
            + "; ".join(f"{s} -> {t}" for s, t in SUPPORTED)
            + "."
        )
    if len(matches) > 1:
        listed = ", ".join(f"{s.label} -> {t.label}" for s, t in matches)
        raise UserError(
            f"Ambiguous connection from {options['sourceProject']} to {options['targetProject']}. "
            f"Multiple supported connections found: {listed}. "
            "Please specify sourceComponent and/or targetComponent to disambiguate."
        )
    src, tgt = matches[0]
    return SUPPORTED[(src.type, tgt.type)](tree, workspace, source, target, src, tgt, options)
