"""A Cognito gateway (issue 6): its CDK construct takes an identity and a CUSTOM_JWT authorizer, its Terraform module
takes the user pool and clients, and its default Cedar policy permits OAuth users; IAM gateways stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
import pytest

from infra.conftest import JSII_ENV, g, nxaws, run
from infra.test_terraform import CLEAN, TF, blocks, resources
from nxaws.codemods.application_stack import add_construct

GATEWAY_FILES = Path(__file__).parents[2] / "src/nxaws/generators/agentcore_gateway/files/cedar"
DISCOVERY = "https://cognito-idp.${local.region}.amazonaws.com/${var.user_pool_id}/.well-known/openid-configuration"


def cognito_workspace(parent: Path, *, iac: str) -> Path:
    nxaws(parent, "new", "acme", "--no-install")
    ws = parent / "acme"
    g(ws, "agentcore-gateway", "my-gateway", "--auth", "cognito", "--iac", iac)
    return ws


@pytest.fixture(scope="module")
def cdk_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = cognito_workspace(tmp_path_factory.mktemp("cognito-cdk"), iac="cdk")
    run(["uv", "sync"], cwd=ws, timeout=600)
    run(["uv", "run", "python", "app.py"], cwd=ws / "packages/infra", timeout=600, env=JSII_ENV)
    return ws


@pytest.fixture(scope="module")
def template(cdk_ws: Path) -> dict:
    return json.loads((cdk_ws / "packages/infra/cdk.out/acme-infra.template.json").read_text())


def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def only(template: dict, kind: str) -> tuple[str, dict]:
    found = of_type(template, kind)
    assert len(found) == 1, sorted(found)
    return next(iter(found.items()))


def test_stack_gives_the_gateway_a_user_pool_identity(cdk_ws: Path) -> None:
    stack = (cdk_ws / "packages/infra/acme_infra/stacks/application_stack.py").read_text()
    assert 'self.my_gateway_identity = UserIdentity(self, "MyGatewayIdentity")' in stack
    assert "self.my_gateway = MyGateway(self, identity=self.my_gateway_identity)" in stack


def test_gateway_uses_the_user_pool_as_jwt_authorizer(template: dict) -> None:
    pool, _ = only(template, "AWS::Cognito::UserPool")
    client, _ = only(template, "AWS::Cognito::UserPoolClient")
    _, gateway = only(template, "AWS::BedrockAgentCore::Gateway")
    props = gateway["Properties"]
    assert props["AuthorizerType"] == "CUSTOM_JWT"
    jwt = props["AuthorizerConfiguration"]["CustomJWTAuthorizer"]
    assert jwt["AllowedClients"] == [{"Ref": client}]
    url = jwt["DiscoveryUrl"]["Fn::Join"][1]
    assert url == ["https://cognito-idp.", {"Ref": "AWS::Region"}, ".amazonaws.com/", {"Ref": pool},
                   "/.well-known/openid-configuration"]  # fmt: skip
    assert (props["ProtocolType"], props["PolicyEngineConfiguration"]["Mode"]) == ("MCP", "ENFORCE")


def test_default_cedar_policy_permits_oauth_users_of_this_gateway(template: dict) -> None:
    gateway, _ = only(template, "AWS::BedrockAgentCore::Gateway")
    _, policy = only(template, "AWS::BedrockAgentCore::Policy")
    assert policy["Properties"]["Name"].startswith("acmeinfraMyGateway")  # from the construct path (PR #1199)
    parts = policy["Properties"]["Definition"]["Cedar"]["Statement"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "<ARN>" for p in parts)
    assert "principal is AgentCore::OAuthUser," in text
    assert 'resource == AgentCore::Gateway::"<ARN>"' in text
    assert "IamEntity" not in text
    assert {"Fn::GetAtt": [gateway, "GatewayArn"]} in parts


def test_stack_edit_adds_each_identity_once_and_imports_user_identity_once() -> None:
    stack = "class ApplicationStack:\n    def __init__(self) -> None:\n        pass\n"
    identity = "acme_constructs.core.user_identity"
    one = add_construct(stack, "acme_constructs.app.gateways", "MyGateway", "my_gateway", identity_module=identity)
    assert one is not None
    assert add_construct(one, "acme_constructs.app.gateways", "MyGateway", "x", identity_module=identity) == one
    two = add_construct(one, "acme_constructs.app.gateways", "Other", "other", identity_module=identity)
    assert two is not None
    assert two.count("from acme_constructs.core.user_identity import UserIdentity\n") == 1
    assert two.endswith(
        '        self.my_gateway_identity = UserIdentity(self, "MyGatewayIdentity")\n'
        "        self.my_gateway = MyGateway(self, identity=self.my_gateway_identity)\n"
        '        self.other_identity = UserIdentity(self, "OtherIdentity")\n'
        "        self.other = Other(self, identity=self.other_identity)\n"
    )


def test_generated_cognito_code_passes_ruff(cdk_ws: Path) -> None:
    for project in ("packages/infra", "packages/common/constructs"):
        run(["uv", "run", "ruff", "check", project], cwd=cdk_ws, timeout=120)
        run(["uv", "run", "ruff", "format", "--check", project], cwd=cdk_ws, timeout=120)


@pytest.fixture(scope="module")
def tf_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = cognito_workspace(tmp_path_factory.mktemp("cognito-tf"), iac="terraform")
    g(ws, "agentcore-gateway", "iam-gateway", "--iac", "terraform")
    return ws


def parse(ws: Path, name: str) -> dict:
    return hcl2.loads((ws / TF / f"app/gateways/{name}/{name}.tf").read_text(), serialization_options=CLEAN)


def test_terraform_cognito_module_takes_the_user_pool(tf_ws: Path) -> None:
    module = parse(tf_ws, "my-gateway")
    variables = blocks(module, "variable")
    assert variables["user_pool_id"]["type"] == "string"
    assert variables["user_pool_client_ids"]["type"] == "${list(string)}"
    assert "default" not in variables["user_pool_id"]
    gw = resources(module, "aws_bedrockagentcore_gateway")["this"]
    assert (gw["protocol_type"], gw["authorizer_type"]) == ("MCP", "CUSTOM_JWT")
    [config] = gw["authorizer_configuration"]
    [jwt] = config["custom_jwt_authorizer"]
    assert jwt == {"discovery_url": DISCOVERY, "allowed_clients": "${var.user_pool_client_ids}"}


def test_terraform_iam_module_is_unchanged_beside_a_cognito_one(tf_ws: Path) -> None:
    module = parse(tf_ws, "iam-gateway")
    assert not {"user_pool_id", "user_pool_client_ids"} & set(blocks(module, "variable"))
    gw = resources(module, "aws_bedrockagentcore_gateway")["this"]
    assert gw["authorizer_type"] == "AWS_IAM"
    assert "authorizer_configuration" not in gw


def test_default_policy_is_chosen_by_auth(tf_ws: Path) -> None:
    cognito = (tf_ws / "packages/my-gateway/policies/permit-all.cedar").read_text()
    iam = (tf_ws / "packages/iam-gateway/policies/permit-all.cedar").read_text()
    assert cognito == (GATEWAY_FILES / "cognito/policies/permit-all.cedar").read_text()
    assert "principal is AgentCore::OAuthUser" in cognito
    assert iam == (GATEWAY_FILES / "iam/policies/permit-all.cedar").read_text()
    assert "principal is AgentCore::IamEntity" in iam
    assert 'principal.id like "arn:aws:*::{{ account_id }}:*"' in iam
