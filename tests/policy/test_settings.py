"""The ``policies`` section of local-gateway.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nxaws.policy import PolicySettingsError, parse_settings
from nxaws.policy.settings import project_settings
from nxaws.policy.values import OAUTH


def parse(section: object, **kwargs: object):  # noqa: ANN201
    options = {"path": "gw/local-gateway.json", "gateway_name": "my-gateway", "has_policies": True, **kwargs}
    return parse_settings({"name": "my-gateway", "policies": section}, **options)  # type: ignore[arg-type]


def test_defaults() -> None:
    settings = parse_settings({}, path="x", gateway_name="my-gateway", has_policies=True)
    assert settings.mode == "enforce" and settings.account_id == "123456789012" and settings.region == "us-east-1"
    assert settings.gateway_arn == "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/my-gateway-local"
    assert settings.values == {"gateway_arn": settings.gateway_arn, "account_id": "123456789012"}
    assert settings.default_principal.id == "arn:aws:iam::123456789012:user/local-developer"
    assert parse_settings({}, path="x", gateway_name="g", has_policies=False).mode == "off"
    jwt = parse_settings({}, path="x", gateway_name="g", has_policies=True, oauth=True).default_principal
    assert jwt.type == OAUTH and dict(jwt.tags)["username"] == "local-developer"


def test_values_and_the_key_map() -> None:
    settings = parse({"mode": "log-only", "accountId": "111122223333", "region": "eu-west-1",
                      "principals": {"AKIAEXAMPLE": "arn:aws:sts::111122223333:assumed-role/Agent/s"}})  # fmt: skip
    assert settings.mode == "log-only"
    assert settings.gateway_arn == "arn:aws:bedrock-agentcore:eu-west-1:111122223333:gateway/my-gateway-local"
    assert settings.principal_for_key("AKIAEXAMPLE").id == "arn:aws:iam::111122223333:role/Agent"
    assert settings.principal_for_key("AKIAOTHER").id == "arn:aws:iam::111122223333:user/AKIAOTHER"
    oauth = parse({"defaultPrincipal": {"sub": "u-9", "claims": {"role": "admin"}}}).default_principal
    assert oauth.id == "u-9" and dict(oauth.tags) == {"role": "admin", "sub": "u-9"}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ([], "'policies' must be an object"),
        ({"mode": "strict"}, "policies.mode must be one of enforce, log-only, off, not 'strict'"),
        ({"accountId": 123}, "policies.accountId must be a non-empty string"),
        ({"accountId": "12"}, "policies.accountId must be 12 digits"),
        ({"region": "moon"}, "policies.region must be a region name"),
        ({"gatewayArn": "gw"}, "policies.gatewayArn must be a gateway ARN"),
        ({"defaultPrincipal": "bob"}, "policies.defaultPrincipal must be an IAM ARN"),
        ({"principals": {"AKIA1": "bob"}}, "policies.principals.AKIA1 must be an IAM ARN"),
        ({"principal": "x"}, "unknown key policies.principal"),
    ],
)
def test_bad_values_name_the_file_and_key(section: object, message: str) -> None:
    with pytest.raises(PolicySettingsError) as caught:
        parse(section)
    assert str(caught.value).startswith("gw/local-gateway.json: ") and message in str(caught.value)


def test_a_projects_settings_come_from_its_folder(tmp_path: Path) -> None:
    """policies/*.cedar decide the default mode, project.json's auth the callers' kind, --policies the mode."""
    config = tmp_path / "local-gateway.json"
    config.write_text(json.dumps({"name": "gw", "policies": {"accountId": "111122223333"}}))
    assert project_settings(config, "gw").mode == "off"  # no .cedar files: nothing to enforce
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/permit-all.cedar").write_text("permit (principal, action, resource);")
    settings = project_settings(config, "gw")
    assert (settings.mode, settings.account_id, settings.oauth) == ("enforce", "111122223333", False)
    assert project_settings(config, "gw", "log-only").mode == "log-only"
    (tmp_path / "project.json").write_text(json.dumps({"metadata": {"generator": "x", "auth": "cognito"}}))
    cognito = project_settings(config, "gw")
    assert cognito.oauth and cognito.default_principal.type == OAUTH
    ts = tmp_path / "local-dev.ts"  # a TypeScript-plugin gateway: no policies section, the defaults
    ts.write_text("export const ATTACHED_MCP_SERVERS = [];")
    assert project_settings(ts, "gw").account_id == "123456789012"
    (tmp_path / "project.json").write_text("{oops")
    with pytest.raises(PolicySettingsError, match="project.json cannot be read as JSON"):
        project_settings(config, "gw")
