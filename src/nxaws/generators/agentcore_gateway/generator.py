"""``agentcore-gateway``: a gateway project, its local gateway configuration and Cedar policies (reference §3)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ...workspace.errors import UserError
from ...workspace.jsonfile import TARGET_KEY_ORDER, dumps, ordered
from ...workspace.metadata import assign_port, set_generator_metadata
from ...workspace.names import class_name, kebab_case
from ...workspace.projects import Project, Workspace
from ...workspace.tree import Tree
from .. import Result
from ..templates import render_dir

FILES = Path(__file__).parent / "files"
ID = "agentcore-gateway"
CONFIG_FILE = "local-gateway.json"


def gateway_target(port: int) -> dict[str, Any]:
    target = {
        "executor": "nx:run-commands",
        "continuous": True,
        "dependsOn": [],
        "options": {"command": f"uv run nxaws local-gateway {CONFIG_FILE}", "cwd": "{projectRoot}",
                    "env": {"PORT": str(port)}},
    }  # fmt: skip
    return ordered(target, TARGET_KEY_ORDER)


def policy_test_target() -> dict[str, Any]:
    """``nx run <gateway>:test``: the cases in ``policies/tests/*.json``, so ``nx run-many -t test`` covers policies."""
    options = {"command": "uv run nxaws policy test .", "cwd": "{projectRoot}"}
    target = {"executor": "nx:run-commands", "options": options}
    return ordered(target, TARGET_KEY_ORDER)


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    workspace = Workspace(tree)
    name = kebab_case(options["name"])
    if not name:
        raise UserError(f"'{options['name']}' has no letters or digits to name a gateway with.")
    project_name = f"@{workspace.scope}/{name}"
    root = str(PurePosixPath(options["directory"], options.get("subDirectory") or name))
    project = workspace.find(project_name)
    if project is not None and project.metadata.get("generator") not in (None, ID):
        raise UserError(f"Project '{project_name}' already exists and was not made by the {ID} generator.")
    project = project or Project(f"{root}/project.json", {})
    config = project.config
    for key, value in (("name", project_name), ("$schema", _schema_path(project.root)), ("root", project.root),
                       ("sourceRoot", project.root), ("projectType", "library"), ("tags", [])):  # fmt: skip
        config.setdefault(key, value)
    protocol, auth = options["protocol"], options["auth"]
    port = assign_port(workspace, project, 8100)
    targets = project.targets
    targets.setdefault("serve", gateway_target(port))
    targets.setdefault("dev", gateway_target(port))
    policies = protocol == "mcp" and options["cedarPolicy"]
    if policies:
        targets.setdefault("test", policy_test_target())
    infra = options["infra"] == "agentcore"
    extra = {"name": name, "rc": class_name(name), "protocol": protocol, "auth": auth, "port": port}
    if infra:
        from ..py_infra.generator import workspace_iac

        extra["iac"] = options.get("iac") or project.metadata.get("iac") or workspace_iac(workspace)
    set_generator_metadata(project, ID, ports=project.metadata.get("ports", [port]), **extra)
    workspace.add(project)

    variables = {"name": name, "project": project_name, "protocol": protocol, "auth": auth, "port": port}
    for rel, text in render_dir(FILES / "project", variables).items():
        tree.write_if_absent(project.path(rel), text)
    tree.write_if_absent(project.path(CONFIG_FILE), dumps({"name": name, "port": port, "targets": []}))
    warnings = []
    if policies and not tree.is_dir(project.path("policies")):
        # Only on first creation: a user who removed or renamed the default policy keeps it that way.
        for rel, text in render_dir(FILES / "cedar" / auth, {}).items():
            tree.write(project.path(rel), text)
    elif protocol == "http" and options["cedarPolicy"]:
        warnings.append("cedarPolicy is ignored for http-protocol gateways.")
    result = Result(
        warnings=warnings,
        next_steps=[
            f"Attach an MCP server: nxaws g connection {name} <mcp project>",
            f"Run it locally: npx nx run {project_name}:dev (http://localhost:{port}/mcp)",
        ],
    )
    if infra:
        from ..py_infra.generator import add_component_infra

        result.merge(add_component_infra(tree, project_name, ID, None, extra["iac"]))
    return result


def _schema_path(directory: str) -> str:
    return "../" * len(PurePosixPath(directory).parts) + "node_modules/nx/schemas/project-schema.json"
