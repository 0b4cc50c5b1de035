"""py#agent → agentcore-gateway: the agent calls the gateway's tools (reference §7, SPEC §5).

Writes the shared ``agent_connection`` client library, a per-gateway client class, edits ``agent.py`` with libcst,
adds the workspace dependency and the ``dependsOn`` wiring that boots the local gateway with the agent.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from ... import frameworks
from ...codemods.agent_py import AgentEditError, add_gateway_client, manual_steps
from ...frameworks import Framework
from ...workspace.errors import UserError
from ...workspace.format import line_length
from ...workspace.metadata import add_component, add_dependency
from ...workspace.names import snake_case
from ...workspace.projects import Project, Workspace
from ...workspace.python import add_workspace_dependency
from ...workspace.tree import Tree
from .. import Result, default
from ..py_infra.steps import wire_invoke_grant
from .candidates import Candidate
from .gateway_mcp import gateway_metadata
from .library import GatewayClient, ensure_library, library_module

ID = "py#agent#gateway-connection"


def validate(gateway: Project, src: Candidate) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reference's checks, in its order and wording; case-sensitive on purpose."""
    agent = src.component
    if agent is None:
        raise UserError("sourceComponent must be provided for py#agent -> agentcore-gateway connections")
    metadata = gateway_metadata(gateway)
    name = metadata.get("name")
    if metadata.get("protocol") != "mcp":
        raise UserError(
            f"Gateway '{name}' has protocol='{metadata.get('protocol')}'. Only MCP-protocol gateways are supported."
        )
    if metadata.get("auth") != "iam":
        raise UserError(
            f"Gateway '{name}' uses auth='{metadata.get('auth')}'. "
            "Agent connections currently require the gateway to use IAM authentication."
        )
    # No check of the agent's own (inbound) auth: its calls to the gateway are SigV4-signed with its execution
    # role whatever callers use to reach it (upstream removed that guard in PR #1257).
    return metadata, agent


def agent_framework(agent: dict[str, Any]) -> Framework:
    """The agent's framework record; agents recorded without one are the generator's default framework."""
    name = agent.get("framework") or default("py#agent", "framework")
    try:
        return frameworks.get(name)
    except frameworks.UnknownFramework as exc:
        raise UserError(f"Agent '{agent.get('name')}': {exc}") from None


def edit_agent_file(tree: Tree, path: str, framework: Framework, module: str, client_class: str, var: str) -> list[str]:
    """Wire the client into ``agent.py``; a missing file is a warning with the lines to add by hand."""
    source = tree.read_text(path)
    edit = {"framework": framework, "module": module, "client_class": client_class, "var": var}
    if source is None:
        return [f"{path} does not exist, so it was not edited. Add these lines to your agent:\n{manual_steps(**edit)}"]
    try:
        updated = add_gateway_client(source, **edit, line_length=line_length(tree, path))
    except AgentEditError as exc:
        raise UserError(f"Cannot edit {path}: {exc}") from None
    if updated != source:
        tree.write(path, updated, format="imports")  # the new import lands where the user's ruff wants it
    return []


def connect(
    tree: Tree, workspace: Workspace, agent_project: Project, gateway: Project, src: Candidate, _tgt: Candidate,
    options: dict[str, Any],
) -> Result:  # fmt: skip
    metadata, agent = validate(gateway, src)
    framework = agent_framework(agent)
    rc = str(metadata.get("rc"))
    client = GatewayClient(
        gateway_class=rc, gateway_snake=snake_case(rc), gateway_port=int(metadata.get("port") or 8100)
    )
    library = ensure_library(tree, workspace, framework, client)
    agent_path = str(PurePosixPath(agent.get("path") or "src", "agent.py"))
    warnings = edit_agent_file(
        tree, agent_project.path(agent_path), framework, library_module(workspace), framework.client_class(rc),
        client.gateway_snake,
    )  # fmt: skip

    add_workspace_dependency(tree, agent_project, library)
    agent_name = agent.get("name") or "agent"
    for suffix, gateway_target in (("serve", "serve"), ("dev", "dev")):
        if f"{agent_name}-{suffix}" in agent_project.targets:
            add_dependency(
                agent_project, f"{agent_name}-{suffix}", {"projects": [gateway.name], "target": gateway_target}
            )
    add_component(agent_project, ID, agent_path, rc, framework=framework.name, sourcePath=agent.get("path"))
    workspace.save(agent_project)
    by_hand = wire_invoke_grant(workspace, gateway, agent_project, agent)
    run = (f"Run it locally: npx nx run {agent_project.name}:{agent_name}-dev "
           f"(the agent, the {metadata.get('name')} local gateway and its MCP servers; LOCAL_DEV=true).")  # fmt: skip
    grant = [f"Grant the deployed agent access to the gateway: {by_hand}"] if by_hand else []
    return Result(install={"uv"}, warnings=warnings, next_steps=[run, *grant])
