"""The Python CDK side: the shared constructs package, the ``packages/infra`` app, one construct per component."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...codemods.application_stack import add_construct, construct_lines
from ...codemods.reexport import add_reexport
from ...versions import NPM_VERSIONS
from ...workspace.jsonfile import TARGET_KEY_ORDER, ordered
from ...workspace.projects import Project, Workspace
from ...workspace.python import add_dependencies, add_workspace_dependency
from ...workspace.tree import Tree
from ..py_project.generator import ensure_python_project
from ..templates import render_dir
from .readiness_probe import render_readiness_probe

FILES = Path(__file__).parent / "files"
CDK_DEPENDENCIES = ["aws-cdk-lib", "constructs"]
JSII_ENV = {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}


def constructs_module(workspace: Workspace) -> str:
    return f"{workspace.py_scope}_constructs"


def infra_module(workspace: Workspace) -> str:
    return f"{workspace.py_scope}_infra"


def ensure_constructs(tree: Tree, workspace: Workspace) -> Project:
    """``packages/common/constructs`` with the shared ``core/`` constructs (keep-existing)."""
    options = {"name": "constructs", "directory": "packages/common", "type": "library"}
    project = ensure_python_project(tree, workspace, options)
    package = project.path(constructs_module(workspace))
    for rel, text in render_dir(FILES / "constructs" / "core", {}).items():
        tree.write_if_absent(f"{package}/core/{rel}", text, format=True)
    for rel, text in render_readiness_probe().items():  # the Lambda asset of core/mcp_readiness.py
        tree.write_if_absent(f"{package}/core/readiness_probe/{rel}", text, format=True)
    tree.write_if_absent(f"{package}/app/__init__.py", "")
    add_dependencies(tree, project.path("pyproject.toml"), CDK_DEPENDENCIES)
    return project


def ensure_app(tree: Tree, workspace: Workspace) -> Project:
    """``packages/infra``: ``app.py``, ``cdk.json``, the application stack, ``synth`` and ``deploy`` targets."""
    constructs = ensure_constructs(tree, workspace)
    project = ensure_python_project(tree, workspace, {"name": "infra", "directory": "packages"})
    variables = {"module": infra_module(workspace), "stack_name": f"{workspace.scope}-infra"}
    for rel, text in render_dir(FILES / "infra", variables).items():
        tree.write_if_absent(project.path(rel), text, format=rel.endswith(".py"))
    gitignore = tree.read_text(project.path(".gitignore")) or ""
    if not {"cdk.out", "cdk.out/"} & set(gitignore.split()):
        tree.write(project.path(".gitignore"), f"{gitignore}cdk.out/\n")
    targets = project.targets
    synth = {"executor": "nx:run-commands", "outputs": ["{projectRoot}/cdk.out"],
             "options": {"command": "uv run python app.py", "cwd": "{projectRoot}", "env": JSII_ENV}}  # fmt: skip
    cdk = f"npx aws-cdk@{NPM_VERSIONS['aws-cdk']}"
    deploy = {"executor": "nx:run-commands", "dependsOn": ["synth"],
              "options": {"command": f"{cdk} deploy --app cdk.out --all", "cwd": "{projectRoot}"}}  # fmt: skip
    destroy = {"executor": "nx:run-commands", "dependsOn": ["synth"],
               "options": {"command": f"{cdk} destroy --app cdk.out --all", "cwd": "{projectRoot}"}}  # fmt: skip
    for name, target in (("synth", synth), ("deploy", deploy), ("destroy", destroy)):
        targets.setdefault(name, ordered(target, TARGET_KEY_ORDER))
    workspace.save(project)
    add_dependencies(tree, project.path("pyproject.toml"), CDK_DEPENDENCIES)
    add_workspace_dependency(tree, project, constructs)
    return project


def add_component_construct(tree: Tree, workspace: Workspace, kind: str, variables: dict[str, Any]) -> str | None:
    """Emit ``app/<kind>/<snake>.py``, re-export it and add it to the stack; a warning if the stack can't be edited."""
    constructs = ensure_constructs(tree, workspace)
    app = ensure_app(tree, workspace)
    package = constructs.path(constructs_module(workspace), "app", kind)
    for rel, text in render_dir(FILES / "constructs" / "app" / kind, variables).items():
        tree.write_if_absent(f"{package}/{rel}", text, format=True)
    class_name, snake = str(variables["class_name"]), str(variables["snake"])
    init_path = f"{package}/__init__.py"
    init = tree.read_text(init_path) or ""
    if (updated := add_reexport(init, f".{snake}", class_name)) != init:
        tree.write(init_path, updated, format=True)
    stack_path = app.path(infra_module(workspace), "stacks", "application_stack.py")
    source = tree.read_text(stack_path) or ""
    identity = kind == "gateways" and variables.get("auth") == "cognito"
    identity_module = f"{constructs_module(workspace)}.core.user_identity" if identity else None
    app_module = f"{constructs_module(workspace)}.app.{kind}"
    edited = add_construct(source, app_module, class_name, snake, identity_module=identity_module)
    if edited is None:
        lines = "; ".join(f"`{line}`" for line in construct_lines(class_name, snake, identity=identity))
        return (f"{stack_path} has no ApplicationStack.__init__, so {class_name} was not added. Add "
                f"{lines} to your stack.")  # fmt: skip
    if edited != source:
        tree.write(stack_path, edited, format=True)
    return None
