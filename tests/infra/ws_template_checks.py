"""Assertions on the synthesised application stack; copied into the generated workspace and run there."""

import json
import os
from pathlib import Path

import pytest
from aws_cdk.assertions import Capture, Match, Template

CDK_OUT = Path(os.environ["CDK_OUT"])


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.from_json(json.loads((CDK_OUT / "acme-infra.template.json").read_text()))


def logical_id(template: Template, kind: str, prefix: str = "") -> str:
    ids = [k for k in template.find_resources(kind) if k.startswith(prefix)]
    assert len(ids) == 1, ids
    return ids[0]


def invoke_gateway_policy(template: Template, role: str, gateway: str) -> None:
    statement = {"Action": "bedrock-agentcore:InvokeGateway", "Effect": "Allow",
                 "Resource": {"Fn::GetAtt": [gateway, "GatewayArn"]}}  # fmt: skip
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": Match.array_with([statement])}, "Roles": [{"Ref": role}]},
    )


def test_agent_role_may_invoke_the_gateway(template: Template) -> None:
    gateway = logical_id(template, "AWS::BedrockAgentCore::Gateway")
    invoke_gateway_policy(template, logical_id(template, "AWS::IAM::Role", "AgentsAgent"), gateway)


def test_mcp_server_role_was_not_granted(template: Template) -> None:
    gateway = logical_id(template, "AWS::BedrockAgentCore::Gateway")
    with pytest.raises(RuntimeError, match="InvokeGateway|none match"):
        invoke_gateway_policy(template, logical_id(template, "AWS::IAM::Role", "AgentsMcpServer"), gateway)


def test_runtime_config_holds_the_gateway_url(template: Template) -> None:
    gateway = logical_id(template, "AWS::BedrockAgentCore::Gateway")
    content = Capture()
    template.has_resource_properties(
        "AWS::AppConfig::HostedConfigurationVersion", {"Content": content, "ContentType": "application/json"}
    )
    parts = content.as_object()["Fn::Join"][1]
    url = parts.index({"Fn::GetAtt": [gateway, "GatewayUrl"]})
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


def test_one_cedar_policy_per_file(template: Template) -> None:
    policies = template.find_resources("AWS::BedrockAgentCore::Policy")
    assert sorted(p["Properties"]["Name"] for p in policies.values()) == ["deny_add", "permit_all"]
    gateway = logical_id(template, "AWS::BedrockAgentCore::Gateway")
    permit = next(p for p in policies.values() if p["Properties"]["Name"] == "permit_all")
    statement = permit["Properties"]["Definition"]["Cedar"]["Statement"]
    assert {"Fn::GetAtt": [gateway, "GatewayArn"]} in statement["Fn::Join"][1]
    template.has_resource_properties(
        "AWS::BedrockAgentCore::Gateway",
        {
            "AuthorizerType": "AWS_IAM",
            "ProtocolType": "MCP",
            "PolicyEngineConfiguration": {"Mode": "ENFORCE", "Arn": Match.any_value()},
        },
    )


def test_mcp_server_is_a_gateway_target(template: Template) -> None:
    template.has_resource_properties(
        "AWS::BedrockAgentCore::GatewayTarget",
        {
            "Name": "agents-mcp-server",
            "CredentialProviderConfigurations": [Match.object_like({"CredentialProviderType": "GATEWAY_IAM_ROLE"})],
        },
    )
