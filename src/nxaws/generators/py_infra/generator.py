"""``py#infra``: the CDK app and shared constructs (or Terraform modules) that deploy agents and gateways."""

from __future__ import annotations

from typing import Any

from ...workspace.errors import UserError
from ...workspace.names import class_name, kebab_case, snake_case
from ...workspace.projects import Project, Workspace
from ...workspace.tree import Tree
from .. import Result
from . import cdk, terraform, terraform_root

KINDS = {"py#agent": "agents", "py#mcp-server": "mcp_servers", "agentcore-gateway": "gateways"}


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    if (options.get("iac") or workspace_iac(workspace)) == "terraform":
        terraform.ensure_core(tree)
        root = terraform_root.ensure_root(tree, workspace)
        return Result(
            next_steps=[f"Terraform modules are in {terraform.ROOT}/src; deploy them: npx nx run {root.name}:apply"]
        )
    app = cdk.ensure_app(tree, workspace)
    return Result(install={"uv"}, next_steps=[f"Synthesise it: npx nx run {app.name}:synth"])


def workspace_iac(workspace: Workspace) -> str:
    """The flavour already in use: a gateway's or the infra project's ``iac``, else Terraform modules on disk, else
    CDK."""
    for project in workspace.projects().values():
        if project.metadata.get("generator") in ("agentcore-gateway", "py#infra") and project.metadata.get("iac"):
            return str(project.metadata["iac"])
    return "terraform" if workspace.tree.is_dir(f"{terraform.ROOT}/src") else "cdk"


def add_component_infra(
    tree: Tree, project_name: str, generator_id: str, component: str | None = None, iac: str | None = None
) -> Result:
    """Deploy one component (an agent or MCP server named ``component``, or a gateway project): a CDK
    construct added to the application stack, or a Terraform module. Records ``iac`` in the metadata."""
    workspace = Workspace(tree)
    project = workspace.get(project_name)
    record = _record(project, generator_id, component)
    iac = iac or record.get("iac") or workspace_iac(workspace)
    rc = str(record.get("rc") or class_name(kebab_case(project.name.split("/")[-1])))
    variables: dict[str, Any] = {
        "class_name": rc, "snake": snake_case(rc), "name": kebab_case(rc), "project": project.name,
        "target_name": kebab_case(rc),
    }  # fmt: skip
    if generator_id == "agentcore-gateway":
        variables |= {"policies": project.path("policies"), "gateway_name": kebab_case(rc)[:30],
                      "role_prefix": f"{rc[:30]}-", "auth": str(record.get("auth") or "iam")}  # fmt: skip
    else:
        path = str(record.get("path") or "")
        variables |= {"dockerfile": project.path(path, "Dockerfile"), "source_dir": project.root}
    kind = KINDS[generator_id]
    warnings: list[str] = []
    if iac == "terraform":
        terraform.add_module(tree, kind, variables)
        if (warning := terraform_root.add_root_module(tree, workspace, kind, variables)) is not None:
            warnings.append(warning)
    elif (warning := cdk.add_component_construct(tree, workspace, kind, variables)) is not None:
        warnings.append(warning)
    if record.get("iac") != iac:
        record["iac"] = iac
        workspace.save(project)
    return Result(install={"uv"} if iac == "cdk" else set(), warnings=warnings)


def _record(project: Project, generator_id: str, component: str | None) -> dict[str, Any]:
    """The component's metadata record (edited in place), or the project's metadata for a gateway."""
    if generator_id == "agentcore-gateway":
        if "metadata" not in project.config:
            raise UserError(f"Project '{project.name}' has no metadata; run the agentcore-gateway generator first.")
        return project.config["metadata"]
    for record in project.components:
        if record.get("generator") == generator_id and record.get("name") == component:
            return record
    raise UserError(f"Project '{project.name}' has no {generator_id} component named '{component}'.")
