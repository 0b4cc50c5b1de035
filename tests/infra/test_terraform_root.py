"""The Terraform root in packages/infra (issue 14, item 3): a module per component kept up to date, the two edits a
connection makes (gateway target, invoke grant), text edits that keep the user's, fmt-clean, validated when the
AWS provider can be had."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import hcl2
import pytest
from support.workspaces import clone, read_json, template

from infra.conftest import g, run
from infra.test_terraform import CLEAN, blocks
from nxaws.generators.py_infra.hcl_text import add_list_item, append_block, find_block
from nxaws.generators.py_infra.terraform_root import add_terraform_gateway_target, add_terraform_invoke_grant
from nxaws.workspace.tree import Tree

MAIN = "packages/infra/src/main.tf"
STEPS = [["g", "py#project", "agents"], ["g", "agentcore-gateway", "my-gateway", "--iac", "terraform"],
         ["g", "agentcore-gateway", "web-gateway", "--auth", "cognito", "--iac", "terraform"],
         ["g", "py#agent", "agents"], ["g", "py#mcp-server", "agents"]]  # fmt: skip
INVOKE = (
    '{ Effect = "Allow", Action = ["bedrock-agentcore:InvokeGateway"], Resource = [module.my_gateway.gateway_arn] }'
)


@pytest.fixture
def tf_ws(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    return clone(template(tmp_path_factory.getbasetemp() / "tf-root", STEPS), tmp_path)


def root_modules(ws: Path) -> dict[str, dict]:
    return blocks(hcl2.loads((ws / MAIN).read_text(), serialization_options=CLEAN), "module")


def connect(ws: Path) -> tuple[str | None, str | None]:
    tree = Tree(ws)
    done = (add_terraform_gateway_target(tree, "my_gateway", "agents_mcp_server"),
            add_terraform_invoke_grant(tree, "my_gateway", "agents_agent"))  # fmt: skip
    tree.commit()
    return done


def only_insertions(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if any line of ``before`` was changed or removed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    assert all(tag in ("equal", "insert") for tag, *_ in opcodes), opcodes
    return [line for tag, _, _, j1, j2 in opcodes if tag == "insert" for line in new[j1:j2]]


def fmt_check(ws: Path) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: `terraform fmt -check` not run (files only parsed with python-hcl2)")
    for folder in ("packages/infra/src", "packages/common/terraform/src"):
        run(["terraform", "fmt", "-check", "-diff", "-recursive", "."], cwd=ws / folder, timeout=60)


def test_the_root_references_every_module(tf_ws: Path) -> None:
    modules = root_modules(tf_ws)
    components = {
        "my_gateway": "gateways/my-gateway", "web_gateway": "gateways/web-gateway",
        "agents_agent": "agents/agents-agent", "agents_mcp_server": "mcp-servers/agents-mcp-server",
    }  # fmt: skip
    for name, folder in components.items():
        assert modules[name]["source"] == f"../../common/terraform/src/app/{folder}"
        assert (tf_ws / "packages/infra/src" / modules[name]["source"]).resolve().is_dir()
    deployment = modules["runtime_config_deployment"]
    assert deployment["entry_ids"] == [f"${{module.{name}.runtime_config_entry_id}}" for name in components]
    assert modules["agents_agent"]["runtime_config_application_id"] == "${module.runtime_config.application_id}"
    assert modules["web_gateway"]["user_pool_client_ids"] == ["${aws_cognito_user_pool_client.web_gateway.id}"]
    targets = read_json(tf_ws / "packages/infra/project.json")["targets"]
    assert {name: t["options"]["command"] for name, t in targets.items()} == {
        "init": "terraform init", "validate": "terraform validate", "plan": "terraform plan -out=tfplan",
        "apply": "terraform apply tfplan", "destroy": "terraform destroy",
    }  # fmt: skip
    assert targets["apply"]["dependsOn"] == ["plan"] and targets["plan"]["dependsOn"] == ["init"]
    fmt_check(tf_ws)


def test_connections_wire_the_target_and_the_grant_once(tf_ws: Path) -> None:
    assert connect(tf_ws) == (None, None)
    modules = root_modules(tf_ws)
    assert modules["my_gateway"]["mcp_servers"] == ["${module.agents_mcp_server.gateway_target}"]
    [statement] = modules["agents_agent"]["additional_iam_policy_statements"]
    assert statement == {"Effect": "Allow", "Action": ["bedrock-agentcore:InvokeGateway"],
                         "Resource": ["${module.my_gateway.gateway_arn}"]}  # fmt: skip
    assert modules["web_gateway"]["mcp_servers"] == []
    wired = (tf_ws / MAIN).read_text()
    assert connect(tf_ws) == (None, None)
    assert (tf_ws / MAIN).read_text() == wired
    fmt_check(tf_ws)


def test_user_edits_survive_and_new_components_are_added(tf_ws: Path) -> None:
    main = tf_ws / MAIN
    edited = main.read_text().replace('module "agents_agent" {\n', '# my notes on the agent\nmodule "agents_agent" {\n')
    edited += '\nresource "aws_s3_bucket" "data" {\n  bucket_prefix = "acme-data"\n}\n'
    main.write_text(edited)
    g(tf_ws, "py#project", "tools")
    g(tf_ws, "py#mcp-server", "tools")
    text = main.read_text()
    assert only_insertions(edited, text) == [
        "    module.tools_mcp_server.runtime_config_entry_id,\n",
        "\n", 'module "tools_mcp_server" {\n',
        '  source                        = "../../common/terraform/src/app/mcp-servers/tools-mcp-server"\n',
        "  runtime_config_application_id = module.runtime_config.application_id\n", "}\n",
    ]  # fmt: skip
    g(tf_ws, "py#mcp-server", "tools")  # again: nothing changes
    assert main.read_text() == text
    assert connect(tf_ws) == (None, None)
    fmt_check(tf_ws)


def test_a_block_moved_to_another_file_is_found_there(tf_ws: Path) -> None:
    main = tf_ws / MAIN
    text = main.read_text()
    start, end = find_block(text, "module", "agents_agent") or (0, 0)
    (tf_ws / "packages/infra/src/agents.tf").write_text(text[start:end] + "\n")
    main.write_text(text[:start] + text[end:])
    assert connect(tf_ws) == (None, None)
    assert INVOKE in (tf_ws / "packages/infra/src/agents.tf").read_text()
    assert 'module "agents_agent"' not in main.read_text()


def test_a_list_nxaws_cannot_edit_is_left_alone_with_the_line_to_add(tf_ws: Path) -> None:
    main = tf_ws / MAIN
    text = main.read_text().replace(
        "  additional_iam_policy_statements = [\n  ]\n", "  additional_iam_policy_statements = concat(local.mine, [])\n"
    )
    text = text.replace('module "my_gateway" {', 'module "tools_gateway" {')
    main.write_text(text)
    target, grant = connect(tf_ws)
    assert main.read_text() == text
    assert (
        target is not None and 'module "my_gateway"' in target and "module.agents_mcp_server.gateway_target" in target
    )
    assert grant is not None and 'module "agents_agent"' in grant and INVOKE in grant


def test_terraform_validate_when_the_aws_provider_can_be_had(tf_ws: Path) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: `terraform validate` not run")
    connect(tf_ws)
    src = tf_ws / "packages/infra/src"
    try:
        run(["terraform", "init", "-backend=false", "-input=false"], cwd=src, timeout=180)
    except AssertionError as exc:
        if "registry.terraform.io" in str(exc) or "Failed to query" in str(exc) or "Failed to install" in str(exc):
            pytest.skip("terraform init cannot download the AWS provider (offline): `terraform validate` not run")
        raise
    run(["terraform", "validate"], cwd=src, timeout=180)


# hcl_text on strings ---------------------------------------------------------------------------------------------
BLOCK = 'module "a" {\n  source = "./a"\n\n  items = [\n    one,\n  ]\n}\n'


def test_add_list_item_appends_once_and_adds_a_missing_list() -> None:
    two = add_list_item(BLOCK, "module", "a", "items", "two")
    assert two == BLOCK.replace("    one,\n", "    one,\n    two,\n")
    assert add_list_item(two or "", "module", "a", "items", "two") == two
    other = add_list_item(BLOCK, "module", "a", "others", "x")
    assert other == BLOCK.replace("  ]\n}", "  ]\n\n  others = [\n    x,\n  ]\n}")
    assert add_list_item(BLOCK, "module", "b", "items", "two") is None
    assert add_list_item(BLOCK.replace("[\n    one,\n  ]", "[one]"), "module", "a", "items", "two") is None


def test_append_block_keeps_one_blank_line() -> None:
    assert append_block("a {}\n\n\n", "b {}\n") == "a {}\n\nb {}\n"
    assert append_block("", "b {}\n") == "b {}\n"
