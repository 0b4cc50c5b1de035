"""Assertions on the synthesised application stack; copied into the generated workspace and run there.

The stack has two gateways (MyGateway, with the MCP server as target and the agent granted; SecondGateway, bare),
both with a permit-all.cedar, an agent and an MCP server.
"""

import json
import os
import re
from pathlib import Path

import pytest
from aws_cdk.assertions import Capture, Match, Template

CDK_OUT = Path(os.environ["CDK_OUT"])
POLICY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.from_json(json.loads((CDK_OUT / "acme-infra.template.json").read_text()))


def logical_id(template: Template, kind: str, prefix: str = "") -> str:
    ids = [k for k in template.find_resources(kind) if k.startswith(prefix)]
    assert len(ids) == 1, ids
    return ids[0]


def gateway(template: Template, prefix: str = "MyGateway") -> str:
    return logical_id(template, "AWS::BedrockAgentCore::Gateway", prefix)


def invoke_gateway_policy(template: Template, role: str, gateway: str) -> None:
    statement = {"Action": "bedrock-agentcore:InvokeGateway", "Effect": "Allow",
                 "Resource": {"Fn::GetAtt": [gateway, "GatewayArn"]}}  # fmt: skip
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": Match.array_with([statement])}, "Roles": [{"Ref": role}]},
    )


def may_invoke_runtime(template: Template, role: str, runtime: str) -> None:
    arn = {"Fn::GetAtt": [runtime, "AgentRuntimeArn"]}
    action = Match.array_with(["bedrock-agentcore:InvokeAgentRuntime"])
    statement = {"Action": action, "Resource": Match.array_with([arn])}
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": Match.array_with([Match.object_like(statement)])}, "Roles": [{"Ref": role}]},
    )


def test_agent_role_may_invoke_the_gateway(template: Template) -> None:
    invoke_gateway_policy(template, logical_id(template, "AWS::IAM::Role", "AgentsAgent"), gateway(template))


def test_only_the_agent_role_was_granted(template: Template) -> None:
    granted = [
        policy["Properties"]["Roles"]
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "bedrock-agentcore:InvokeGateway" in json.dumps(statement["Action"])
    ]
    assert granted == [[{"Ref": logical_id(template, "AWS::IAM::Role", "AgentsAgent")}]]
    with pytest.raises(RuntimeError, match="InvokeGateway|none match"):
        invoke_gateway_policy(template, logical_id(template, "AWS::IAM::Role", "AgentsMcpServer"), gateway(template))


def test_runtime_config_holds_the_gateway_url(template: Template) -> None:
    content = Capture()
    template.has_resource_properties(
        "AWS::AppConfig::HostedConfigurationVersion", {"Content": content, "ContentType": "application/json"}
    )
    parts = content.as_object()["Fn::Join"][1]
    url = parts.index({"Fn::GetAtt": [gateway(template), "GatewayUrl"]})
    assert parts[url - 1].endswith('"gateways":{"MyGateway":"')
    template.has_resource_properties("AWS::AppConfig::ConfigurationProfile", {"Name": "agentcore"})
    template.has_resource_properties("AWS::AppConfig::Environment", {"Name": "default"})


def test_agent_runtime_reads_runtime_config(template: Template) -> None:
    app = logical_id(template, "AWS::AppConfig::Application")
    for runtime in ("AgentsAgent", "AgentsMcpServer"):
        found = template.find_resources("AWS::BedrockAgentCore::Runtime")
        props = next(v["Properties"] for k, v in found.items() if k.startswith(runtime))
        assert props["EnvironmentVariables"]["RUNTIME_CONFIG_APP_ID"] == {"Ref": app}
    statement = {"Action": ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"],
                 "Effect": "Allow", "Resource": Match.any_value()}  # fmt: skip
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": Match.array_with([statement])},
         "Roles": [{"Ref": logical_id(template, "AWS::IAM::Role", "AgentsAgent")}]},
    )  # fmt: skip


def test_one_cedar_policy_per_file_in_the_gateways_engine(template: Template) -> None:
    engine = logical_id(template, "AWS::BedrockAgentCore::PolicyEngine", "MyGateway")
    policies = template.find_resources(
        "AWS::BedrockAgentCore::Policy", {"Properties": {"PolicyEngineId": {"Fn::GetAtt": [engine, "PolicyEngineId"]}}}
    )
    assert sorted(k.split("Policy")[2][:-8] for k in policies) == ["denyadd", "permitall"]
    permit = next(p for k, p in policies.items() if "Policypermitall" in k)
    statement = permit["Properties"]["Definition"]["Cedar"]["Statement"]
    assert {"Fn::GetAtt": [gateway(template), "GatewayArn"]} in statement["Fn::Join"][1]
    template.has_resource_properties(
        "AWS::BedrockAgentCore::Gateway",
        {
            "AuthorizerType": "AWS_IAM",
            "ProtocolType": "MCP",
            "PolicyEngineConfiguration": {"Mode": "ENFORCE", "Arn": {"Fn::GetAtt": [engine, "PolicyEngineArn"]}},
        },
    )


def test_two_gateways_with_permit_all_get_two_policy_names(template: Template) -> None:
    policies = template.find_resources("AWS::BedrockAgentCore::Policy")
    names = {k: p["Properties"]["Name"] for k, p in policies.items()}
    assert len(names) == 3 and len(set(names.values())) == 3, names
    assert all(POLICY_NAME.fullmatch(name) for name in names.values()), names
    permit_all = sorted(k for k in names if "Policypermitall" in k)
    assert [k.split("PolicyEngine")[0] for k in permit_all] == ["MyGateway", "SecondGateway"]
    assert names[permit_all[0]] != names[permit_all[1]]


def test_mcp_server_is_a_gateway_target(template: Template) -> None:
    template.has_resource_properties(
        "AWS::BedrockAgentCore::GatewayTarget",
        {
            "Name": "agents-mcp-server",
            "GatewayIdentifier": {"Fn::GetAtt": [gateway(template), "GatewayIdentifier"]},
            "CredentialProviderConfigurations": [Match.object_like({"CredentialProviderType": "GATEWAY_IAM_ROLE"})],
        },
    )
    runtime = logical_id(template, "AWS::BedrockAgentCore::Runtime", "AgentsMcpServer")
    may_invoke_runtime(template, logical_id(template, "AWS::IAM::Role", "MyGatewayServiceRole"), runtime)


def test_each_gateway_has_a_waf_web_acl(template: Template) -> None:
    for prefix in ("MyGateway", "SecondGateway"):
        acl = logical_id(template, "AWS::WAFv2::WebACL", prefix)
        rules = template.find_resources("AWS::WAFv2::WebACL")[acl]["Properties"]["Rules"]
        assert [rule["Name"] for rule in rules] == ["CRSRule", "KnownBadInputsRule"]
        crs, bad_inputs = (rule["Statement"]["ManagedRuleGroupStatement"] for rule in rules)
        assert (crs["VendorName"], crs["Name"]) == ("AWS", "AWSManagedRulesCommonRuleSet")
        assert crs["RuleActionOverrides"] == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
        assert bad_inputs["Name"] == "AWSManagedRulesKnownBadInputsRuleSet" and "RuleActionOverrides" not in bad_inputs
        template.has_resource_properties("AWS::WAFv2::WebACL", {"Scope": "REGIONAL", "DefaultAction": {"Allow": {}}})
        template.has_resource_properties(
            "AWS::WAFv2::WebACLAssociation",
            {"ResourceArn": {"Fn::GetAtt": [gateway(template, prefix), "GatewayArn"]},
             "WebACLArn": {"Fn::GetAtt": [acl, "Arn"]}},
        )  # fmt: skip
        logs = logical_id(template, "AWS::Logs::LogGroup", prefix)
        template.has_resource_properties(
            "AWS::WAFv2::LoggingConfiguration",
            {"ResourceArn": {"Fn::GetAtt": [acl, "Arn"]}, "LogDestinationConfigs": [{"Fn::GetAtt": [logs, "Arn"]}]},
        )
    template.resource_count_is("AWS::WAFv2::WebACL", 2)


def test_target_and_policies_wait_for_the_readiness_probe(template: Template) -> None:
    trigger = logical_id(template, "Custom::Trigger", "MyGatewayMcpReadiness")
    target = logical_id(template, "AWS::BedrockAgentCore::GatewayTarget")
    assert trigger in template.find_resources("AWS::BedrockAgentCore::GatewayTarget")[target]["DependsOn"]
    engine = logical_id(template, "AWS::BedrockAgentCore::PolicyEngine", "MyGateway")
    policies = template.find_resources(
        "AWS::BedrockAgentCore::Policy", {"Properties": {"PolicyEngineId": {"Fn::GetAtt": [engine, "PolicyEngineId"]}}}
    )
    assert policies and all(target in policy["DependsOn"] for policy in policies.values())
    function = logical_id(template, "AWS::Lambda::Function", "MyGatewayMcpReadiness")
    props = template.find_resources("AWS::Lambda::Function")[function]["Properties"]
    assert (props["Runtime"], props["Handler"]) == ("python3.13", "readiness_probe.handler")
    runtime = logical_id(template, "AWS::BedrockAgentCore::Runtime", "AgentsMcpServer")
    assert f'"{runtime}", "AgentRuntimeArn"' in json.dumps(props["Environment"]["Variables"]["MCP_ENDPOINTS"])
    may_invoke_runtime(template, logical_id(template, "AWS::IAM::Role", "MyGatewayMcpReadiness"), runtime)
    assert not template.find_resources("Custom::Trigger", {}).keys() - {trigger}  # SecondGateway has no targets
