"""``connection``: find the one supported pair of components and hand over to its generator (reference §6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...workspace.errors import UserError
from ...workspace.projects import Project, Workspace
from ...workspace.tree import Tree
from .. import Result
from .candidates import Candidate, candidates, narrow

Connect = Callable[[Tree, Workspace, Project, Project, Candidate, Candidate, dict[str, Any]], Result]


# Imported when chosen: the agent → gateway connection edits agent.py with libcst, which takes ~0.16 s to
# import; the gateway → MCP connection never needs it, so it stays off that path.
def _agent_gateway(*args: Any) -> Result:
    from .agent_gateway import connect

    return connect(*args)


def _gateway_mcp(*args: Any) -> Result:
    from .gateway_mcp import connect

    return connect(*args)


SUPPORTED: dict[tuple[str, str], Connect] = {
    ("py#agent", "agentcore-gateway"): _agent_gateway,
    ("agentcore-gateway", "py#mcp-server"): _gateway_mcp,
}


def _types(found: list[Candidate]) -> str:
    kinds = list(dict.fromkeys(c.type for c in found))
    return f" ({', '.join(kinds)})" if kinds else ""


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    source = workspace.get(options["sourceProject"])
    target = workspace.get(options["targetProject"])
    all_sources, all_targets = candidates(source), candidates(target)
    sources = narrow(source, options.get("sourceComponent"), "source", all_sources, {s for s, _ in SUPPORTED})
    targets = narrow(target, options.get("targetComponent"), "target", all_targets, {t for _, t in SUPPORTED})
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
