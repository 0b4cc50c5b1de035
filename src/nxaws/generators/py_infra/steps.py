"""A connection's deployed wiring, in the gateway's infrastructure flavour: made by nxaws where it can, else the
line(s) to add by hand."""

from __future__ import annotations

from typing import Any

from ...workspace.names import snake_case
from ...workspace.projects import Project, Workspace
from . import terraform_root

# No libcst at import time: the Terraform paths (and `connection GATEWAY MCP`'s dry run) do not need it.


# The deployed half of a connection (issue 14): nxaws owns the stack or root it generated, so it wires them itself. ---
def wire_gateway_target(
    workspace: Workspace, gateway_project: Project, mcp_project: Project, mcp_component: dict[str, Any]
) -> str | None:
    """``connection GATEWAY MCP``: the gateway's infrastructure targets the MCP server (CDK ``add_mcp_server`` in
    ``ApplicationStack``; Terraform ``mcp_servers`` in the root). The edit is staged on ``workspace.tree``. None when
    done, already there or nothing is deployed; else what to add by hand."""
    return _wire(workspace, gateway_project, mcp_project, mcp_component, "add_mcp_server")


def wire_invoke_grant(
    workspace: Workspace, gateway_project: Project, agent_project: Project, agent_component: dict[str, Any]
) -> str | None:
    """``connection AGENT GATEWAY``: the agent's role may invoke the gateway (CDK ``grant_invoke_access``; Terraform
    the ``InvokeGateway`` statement in the agent module's ``additional_iam_policy_statements``). As above."""
    return _wire(workspace, gateway_project, agent_project, agent_component, "grant_invoke_access")


def _wire(workspace: Workspace, gateway: Project, other: Project, component: dict[str, Any], method: str) -> str | None:
    gateway_rc = str(gateway.metadata.get("rc") or "Gateway")
    other_rc = str(component.get("rc") or ("McpServer" if method == "add_mcp_server" else "Agent"))
    iac = gateway.metadata.get("iac")
    if iac is None:
        return None  # the gateway is not deployed by nxaws (--infra none)
    if component.get("iac") is None:
        return (f"{other.name}'s {component.get('name') or component.get('generator')} has no infrastructure "
                f"(--infra none), so the deployed {gateway_rc} cannot be wired to it.")  # fmt: skip
    tree = workspace.tree
    if iac == "terraform":
        gateway_module, other_module = terraform_root.module_name(gateway_rc), terraform_root.module_name(other_rc)
        if method == "add_mcp_server":
            return terraform_root.add_terraform_gateway_target(tree, gateway_module, other_module)
        return terraform_root.add_terraform_invoke_grant(tree, gateway_module, other_module)
    from ...codemods.application_stack import add_wiring, stack_attributes, wiring_line

    stack_path = _stack_path(workspace)
    source = tree.read_text(stack_path) or ""
    attributes = stack_attributes(source)
    gateway_attr, other_attr = attributes.get(gateway_rc), attributes.get(other_rc)
    edited = add_wiring(source, gateway_attr, method, other_attr) if gateway_attr and other_attr else None
    if edited is None:
        line = wiring_line(gateway_attr or snake_case(gateway_rc), method, other_attr or snake_case(other_rc))
        return f"Add to ApplicationStack.__init__ in {stack_path}, after the constructs it uses:\n    {line}"
    if edited != source:
        tree.write(stack_path, edited)  # one statement line in the stack's own layout: nothing for ruff to do
    return None


def _stack_path(workspace: Workspace) -> str:
    return f"packages/infra/{workspace.py_scope}_infra/stacks/application_stack.py"  # cdk.infra_module's layout
