"""What the user adds to let a deployed agent call a gateway, in the gateway's infrastructure flavour."""

from __future__ import annotations

from typing import Any

from ...workspace.names import kebab_case, snake_case
from ...workspace.projects import Project, Workspace
from . import cdk, terraform
from .stack_edit import stack_attributes


def grant_step(
    workspace: Workspace, gateway_project: Project, agent_project: Project, agent_component: dict[str, Any]
) -> str:
    """The exact line(s) granting ``bedrock-agentcore:InvokeGateway``, chosen by the gateway's ``iac``."""
    gateway_rc = str(gateway_project.metadata.get("rc") or "Gateway")
    agent_rc = str(agent_component.get("rc") or "Agent")
    if gateway_project.metadata.get("iac") == "terraform":
        gateway_module = snake_case(gateway_rc)
        agent_dir = terraform.module_dir("agents", kebab_case(agent_rc))
        return (
            f"Grant the deployed agent access to the gateway: in the module using {agent_dir}, add\n"
            f'    additional_iam_policy_statements = [{{ Effect = "Allow", '
            f'Action = ["bedrock-agentcore:InvokeGateway"], Resource = [module.{gateway_module}.gateway_arn] }}]'
        )
    stack_path = f"packages/infra/{cdk.infra_module(workspace)}/stacks/application_stack.py"
    attributes = stack_attributes(workspace.tree.read_text(stack_path) or "")
    gateway = attributes.get(gateway_rc, snake_case(gateway_rc))
    agent = attributes.get(agent_rc, snake_case(agent_rc))
    return (
        f"Grant the deployed agent access to the gateway: add to ApplicationStack.__init__ in {stack_path}\n"
        f"    self.{gateway}.grant_invoke_access(self.{agent})"
    )
