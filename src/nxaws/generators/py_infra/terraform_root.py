"""The Terraform root in ``packages/infra``: providers, a backend placeholder, runtime configuration and one
``module`` block per agent, MCP server and gateway, kept up to date as components are added, plus the two edits a
connection makes there (a gateway target, an invoke grant). Edits are text edits (``hcl_text``)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ...workspace.jsonfile import TARGET_KEY_ORDER, ordered
from ...workspace.metadata import set_generator_metadata
from ...workspace.names import snake_case
from ...workspace.projects import Project, Workspace
from ...workspace.tree import Tree
from ..templates import render_dir
from .hcl_text import add_list_item, append_block, find_block

FILES = Path(__file__).parent / "files"
ROOT = "packages/infra"
SRC = f"{ROOT}/src"
MAIN = f"{SRC}/main.tf"
DEPLOYMENT = "runtime_config_deployment"  # the module listing every module's runtime-config entry
KIND_FOLDERS = {"agents": "agents", "mcp_servers": "mcp-servers", "gateways": "gateways"}
COMMANDS = {  # Nx target -> (command, dependsOn); all run in packages/infra/src
    "init": ("terraform init", []),
    "validate": ("terraform validate", ["init"]),
    "plan": ("terraform plan -out=tfplan", ["init"]),
    "apply": ("terraform apply tfplan", ["plan"]),
    "destroy": ("terraform destroy", ["init"]),
}


def module_name(class_name: str) -> str:
    """The root's name for a component's module: ``MyGateway`` → ``my_gateway`` (as ``module.my_gateway``)."""
    return snake_case(class_name)


def ensure_root(tree: Tree, workspace: Workspace) -> Project:
    """``packages/infra`` as a Terraform root (keep-existing files) with ``init``/``validate``/``plan``/``apply``/
    ``destroy`` targets."""
    for rel, text in render_dir(FILES / "terraform_root", {"name": f"{workspace.scope}-infra"}).items():
        tree.write_if_absent(f"{ROOT}/{rel}", text)
    project = next((p for p in workspace.projects().values() if p.root == ROOT), None)
    if project is None:
        schema = "../" * len(PurePosixPath(ROOT).parts) + "node_modules/nx/schemas/project-schema.json"
        config = {"name": f"{workspace.py_scope}.infra", "$schema": schema, "root": ROOT, "sourceRoot": SRC,
                  "projectType": "application", "tags": []}  # fmt: skip
        project = Project(f"{ROOT}/project.json", config)
    targets = project.targets
    for target, (command, depends_on) in COMMANDS.items():
        config = {"executor": "nx:run-commands", "options": {"command": command, "cwd": "{projectRoot}/src"}}
        if depends_on:
            config["dependsOn"] = depends_on
        targets.setdefault(target, ordered(config, TARGET_KEY_ORDER))
    set_generator_metadata(project, "py#infra", iac="terraform")
    workspace.add(project)
    return project


def root_files(tree: Tree) -> dict[str, str]:
    """Every ``.tf`` file of the root, ``main.tf`` first: a block the user moved to another file is still found."""
    folder = tree.root / SRC
    paths = {MAIN, *(f"{SRC}/{p.name}" for p in sorted(folder.glob("*.tf")))} if folder.is_dir() else {MAIN}
    texts = {path: tree.read_text(path) for path in sorted(paths, key=lambda p: (p != MAIN, p))}
    return {path: text for path, text in texts.items() if text is not None}


def source_of(kind: str, variables: dict[str, Any]) -> str:
    """The component module's ``source`` as the root (``packages/infra/src``) refers to it."""
    return f"../../common/terraform/src/app/{KIND_FOLDERS[kind]}/{variables['name']}"


def add_root_module(tree: Tree, workspace: Workspace, kind: str, variables: dict[str, Any]) -> str | None:
    """The component's ``module`` block (appended to ``main.tf`` unless the root has it) and its runtime-config
    entry in the deployment module. A warning naming the line to add when the deployment module is not found."""
    if tree.exists(f"{ROOT}/app.py"):
        return f"{ROOT} is a CDK app, not a Terraform root: add a module using {source_of(kind, variables)} yourself."
    ensure_root(tree, workspace)
    name = module_name(str(variables["class_name"]))
    source = source_of(kind, variables)
    files = root_files(tree)
    if not any(find_block(text, "module", name) for text in files.values()):
        values = {"auth": "iam", **variables, "module": name, "source": source}
        block = render_dir(FILES / "terraform_blocks", values)[f"{kind}.tf"]
        tree.write(MAIN, append_block(files.get(MAIN, ""), block))
    entry = f"module.{name}.runtime_config_entry_id"
    return _add_to_list(tree, DEPLOYMENT, "entry_ids", entry)


def invoke_gateway_statement(gateway_module: str) -> str:
    return (f'{{ Effect = "Allow", Action = ["bedrock-agentcore:InvokeGateway"], '
            f"Resource = [module.{gateway_module}.gateway_arn] }}")  # fmt: skip


def add_terraform_gateway_target(tree: Tree, gateway_module: str, mcp_module: str) -> str | None:
    """``module.<mcp_module>.gateway_target`` in the ``mcp_servers`` of the root's ``module "<gateway_module>"``: the
    gateway then targets the server (after its readiness probe). None when done or there already, else the line."""
    return _add_to_list(tree, gateway_module, "mcp_servers", f"module.{mcp_module}.gateway_target")


def add_terraform_invoke_grant(tree: Tree, gateway_module: str, agent_module: str) -> str | None:
    """The ``bedrock-agentcore:InvokeGateway`` statement on ``module.<gateway_module>.gateway_arn`` in the
    ``additional_iam_policy_statements`` of the root's ``module "<agent_module>"``. None when done, else the line."""
    statement = invoke_gateway_statement(gateway_module)
    marker = f"module.{gateway_module}.gateway_arn"
    return _add_to_list(tree, agent_module, "additional_iam_policy_statements", statement, marker=marker)


def _add_to_list(tree: Tree, block: str, attribute: str, item: str, *, marker: str | None = None) -> str | None:
    for path, text in root_files(tree).items():
        if find_block(text, "module", block) is None:
            continue
        edited = add_list_item(text, "module", block, attribute, item, marker=marker)
        if edited is None:
            break
        if edited != text:
            tree.write(path, edited)
        return None
    return (f'{SRC} has no `module "{block}"` with an `{attribute} = [...]` list nxaws can edit: add '
            f"`{item}` to it by hand.")  # fmt: skip
