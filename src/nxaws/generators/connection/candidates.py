"""Which components of two projects a connection could join (reference §6.2–§6.3).

The dispatcher (``generator.py``) and each connection (``agent_gateway.py``, ``gateway_mcp.py``) share this
type; it lives apart from the dispatcher so imports run one way: dispatcher → connections → candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...workspace.errors import UserError
from ...workspace.projects import Project


@dataclass(frozen=True)
class Candidate:
    """One side of a connection: a component of a project, or the project itself (``component`` None)."""

    type: str
    component: dict[str, Any] | None

    @property
    def label(self) -> str:
        name = (self.component or {}).get("name")
        return f"{name} ({self.type})" if name else self.type


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


def narrow(
    project: Project, ref: str | None, side: str, options: list[Candidate], supported: set[str]
) -> list[Candidate]:
    """The candidates ``ref`` (a component name, path, generator id, or ``.``) leaves; ``supported`` are the
    component types this side of a supported connection can be."""
    if ref is None:
        return options
    if ref == ".":
        return [c for c in options if c.component is None]
    component = find_component(project, ref)
    if component is None:
        names = ", ".join(str(c.get("name") or c.get("generator")) for c in project.components) or "none"
        raise UserError(f"Component '{ref}' not found in {side} project {project.name}. Available components: {names}")
    if component.get("generator") in supported:
        return [Candidate(str(component["generator"]), component)]
    return options
