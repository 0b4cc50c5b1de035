"""Terraform modules: they parse, expose what agents and gateways need, and validate where Terraform can run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import hcl2
import pytest

from infra.conftest import make_workspace, run

TF = "packages/common/terraform/src"
CLEAN = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


def blocks(module: dict, kind: str) -> dict:
    return {name: body for block in module.get(kind, []) for name, body in block.items()}


def resources(module: dict, kind: str) -> dict:
    return {name: body for block in module.get("resource", []) for k, v in block.items() if k == kind
            for name, body in v.items()}  # fmt: skip


@pytest.fixture(scope="module")
def tf_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("tf"), iac="terraform")


@pytest.fixture(scope="module")
def modules(tf_ws: Path) -> dict[str, dict]:
    root = tf_ws / TF
    parsed = {
        str(p.relative_to(root)): hcl2.loads(p.read_text(), serialization_options=CLEAN) for p in root.rglob("*.tf")
    }
    assert parsed, "no Terraform files generated"
    return parsed


def test_components_inherit_terraform_and_no_cdk_app_is_made(tf_ws: Path) -> None:
    assert not (tf_ws / "packages/infra/app.py").exists() and (tf_ws / "packages/infra/src/main.tf").is_file()
    assert (tf_ws / TF / "app/agents/agents-agent/agents-agent.tf").is_file()
    assert (tf_ws / TF / "app/mcp-servers/agents-mcp-server/agents-mcp-server.tf").is_file()
    text = (tf_ws / "packages/agents/project.json").read_text()
    assert text.count('"iac": "terraform"') == 2


def test_gateway_module(modules: dict[str, dict]) -> None:
    gateway = modules["app/gateways/my-gateway/my-gateway.tf"]
    outputs = blocks(gateway, "output")
    assert outputs["gateway_arn"]["value"] == "${aws_bedrockagentcore_gateway.this.gateway_arn}"
    assert outputs["gateway_url"]["value"] == "${aws_bedrockagentcore_gateway.this.gateway_url}"
    variables = blocks(gateway, "variable")
    assert {"additional_iam_policy_statements", "policy_dependencies", "mcp_servers"} <= set(variables)
    assert (variables["enable_waf"]["type"], variables["enable_waf"]["default"]) == ("bool", True)
    gw = resources(gateway, "aws_bedrockagentcore_gateway")["this"]
    assert (gw["protocol_type"], gw["authorizer_type"]) == ("MCP", "AWS_IAM")
    assert gw["depends_on"] == ["${time_sleep.role_policy_propagation}"]
    entry = blocks(gateway, "module")["runtime_config_entry"]
    assert entry["source"] == "../../../core/runtime-config/entry"
    assert (entry["namespace"], entry["key"]) == ("agentcore", "gateways")
    assert entry["value"] == {"MyGateway": "${aws_bedrockagentcore_gateway.this.gateway_url}"}
    policy = resources(gateway, "aws_bedrockagentcore_policy")["cedar"]
    assert policy["for_each"] == "${local.policy_files}"
    assert policy["name"] == "${local.policy_names[each.key]}"
    assert "${aws_bedrockagentcore_gateway_target.mcp}" in policy["depends_on"]


def test_gateway_module_waf(modules: dict[str, dict]) -> None:
    gateway = modules["app/gateways/my-gateway/my-gateway.tf"]
    [acl] = resources(gateway, "aws_wafv2_web_acl").values()
    assert (acl["count"], acl["scope"]) == ("${var.enable_waf ? 1 : 0}", "REGIONAL")
    crs, bad_inputs = (rule["statement"][0]["managed_rule_group_statement"][0] for rule in acl["rule"])
    assert (crs["name"], crs["vendor_name"]) == ("AWSManagedRulesCommonRuleSet", "AWS")
    [override] = crs["rule_action_override"]
    assert override["name"] == "SizeRestrictions_BODY" and override["action_to_use"] == [{"count": [{}]}]
    assert bad_inputs["name"] == "AWSManagedRulesKnownBadInputsRuleSet" and "rule_action_override" not in bad_inputs
    association = resources(gateway, "aws_wafv2_web_acl_association")["this"]
    assert association["resource_arn"] == "${aws_bedrockagentcore_gateway.this.gateway_arn}"
    assert association["web_acl_arn"] == "${aws_wafv2_web_acl.this[0].arn}"
    logging = resources(gateway, "aws_wafv2_web_acl_logging_configuration")["this"]
    assert logging["log_destination_configs"] == ["${aws_cloudwatch_log_group.waf[0].arn}"]
    assert resources(gateway, "aws_cloudwatch_log_group")["waf"]["name"].startswith("aws-waf-logs-")


def test_gateway_targets_wait_for_the_readiness_probe(tf_ws: Path, modules: dict[str, dict]) -> None:
    gateway = modules["app/gateways/my-gateway/my-gateway.tf"]
    probe = resources(gateway, "null_resource")["mcp_server_ready"]
    assert probe["for_each"] == "${local.mcp_servers}"
    exec_ = probe["provisioner"][0]["local-exec"]
    assert exec_["command"] == 'uv run --script "${local.probe_script}"'
    assert exec_["environment"]["MCP_ENDPOINTS"] == "${self.triggers.invocation_url}"
    script = modules["app/gateways/my-gateway/my-gateway.tf"]["locals"][0]["probe_script"]
    relative = re.search(r"\$\{path\.module\}/([^\"]+?)\"", script).group(1)
    assert (tf_ws / TF / "app/gateways/my-gateway" / relative).resolve().is_file()
    target = resources(gateway, "aws_bedrockagentcore_gateway_target")["mcp"]
    [mcp] = target["target_configuration"][0]["mcp"]
    # The endpoint flows through the probe, so each target is created only after its server answered.
    assert mcp["mcp_server"][0]["endpoint"] == "${null_resource.mcp_server_ready[each.key].triggers.invocation_url}"
    assert target["credential_provider_configuration"] == [{"gateway_iam_role": [{"service": "bedrock-agentcore"}]}]
    server = blocks(modules["app/mcp-servers/agents-mcp-server/agents-mcp-server.tf"], "output")["gateway_target"]
    assert server["value"]["name"] == "agents-mcp-server"


def policy_names(tf_ws: Path, suffix: str, files: list[str]) -> dict[str, str]:
    """The module's own policy-name expressions evaluated by `terraform console` (no provider needed)."""
    source = (tf_ws / TF / "app/gateways/my-gateway/my-gateway.tf").read_text()
    lines = [line for line in source.splitlines() if line.startswith(("  policy_pascal", "  policy_names "))]
    assert len(lines) == 2, lines
    config = tf_ws / "tmp" / f"names-{suffix}"
    config.mkdir(parents=True)
    files_hcl = ", ".join(f'"{name}"' for name in files)
    expressions = "\n".join(lines).replace("random_id.suffix.hex", f'"{suffix}"')
    (config / "main.tf").write_text(f"locals {{\n  policy_files = toset([{files_hcl}])\n{expressions}\n}}\n")
    out = run(["terraform", "console"], cwd=config, timeout=60, stdin="jsonencode(local.policy_names)\n")
    return json.loads(json.loads(out.strip().splitlines()[-1]))


def test_policy_names_are_pascal_case_with_the_gateway_suffix(tf_ws: Path) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: the policy-name expressions were not evaluated")
    files = ["permit-all.cedar", "1st_rule.cedar", "deny__ADD--tools.cedar", f"{'long-' * 12}name.cedar"]
    one, two = policy_names(tf_ws, "1a2b3c4d", files), policy_names(tf_ws, "99ff00ee", files)
    assert one["permit-all.cedar"] == "PermitAll_1a2b3c4d" and two["permit-all.cedar"] == "PermitAll_99ff00ee"
    assert (one["1st_rule.cedar"], one["deny__ADD--tools.cedar"]) == ("P1stRule_1a2b3c4d", "DenyADDTools_1a2b3c4d")
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,47}", name) for name in [*one.values(), *two.values()]), one
    assert len(one[f"{'long-' * 12}name.cedar"]) == 48


def test_gateway_finds_the_policies_folder(tf_ws: Path, modules: dict[str, dict]) -> None:
    locals_ = modules["app/gateways/my-gateway/my-gateway.tf"]["locals"][0]
    relative = locals_["policies_dir"].removeprefix("${path.module}/")
    folder = (tf_ws / TF / "app/gateways/my-gateway" / relative).resolve()
    assert sorted(p.name for p in folder.glob("*.cedar")) == ["permit-all.cedar"]


def test_agent_module_accepts_statements_and_exposes_its_role(tf_ws: Path, modules: dict[str, dict]) -> None:
    agent = modules["app/agents/agents-agent/agents-agent.tf"]
    assert "additional_iam_policy_statements" in blocks(agent, "variable")
    outputs = blocks(agent, "output")
    assert outputs["agent_core_runtime_role_arn"]["value"] == "${module.runtime.agent_core_runtime_role_arn}"
    assert "agent_core_runtime_role_name" in outputs
    runtime = blocks(agent, "module")["runtime"]
    assert "var.additional_iam_policy_statements" in runtime["additional_iam_policy_statements"]
    relative = re.search(r"\$\{path\.module\}/([./]+)", runtime["workspace_root"]).group(1)
    root = (tf_ws / TF / "app/agents/agents-agent" / relative).resolve()
    assert (root / runtime["dockerfile"]).is_file()
    core = modules["core/agentcore-runtime/main.tf"]
    assert "var.additional_iam_policy_statements" in core["locals"][0]["statements"]
    policy = resources(core, "aws_iam_role_policy")["runtime"]
    assert "local.statements" in policy["policy"]
    assert blocks(core, "output")["agent_core_runtime_role_arn"]["value"] == "${aws_iam_role.runtime.arn}"
    env = resources(core, "aws_bedrockagentcore_agent_runtime")["this"]["environment_variables"]
    assert env == {"RUNTIME_CONFIG_APP_ID": "${var.runtime_config_application_id}"}


def test_runtime_config_core_modules(modules: dict[str, dict]) -> None:
    appconfig = modules["core/runtime-config/appconfig/main.tf"]
    assert resources(appconfig, "aws_appconfig_environment")["default"]["name"] == "default"
    assert {"application_id", "configuration_profile_ids"} <= set(blocks(appconfig, "output"))
    entry = modules["core/runtime-config/entry/main.tf"]
    assert {"namespace", "key", "value"} <= set(blocks(entry, "variable"))
    deployment = modules["core/runtime-config/appconfig-deployment/main.tf"]
    assert "aws_appconfig_deployment" in str(deployment["resource"])
