"""Issue 11 in the generators: gateways get a `test` target, the first attached target gets example policy
cases that `nxaws policy test` passes, and each agent's dev target names its local principal."""

from __future__ import annotations

import json

from support.workspaces import nxaws, read_json

NO_INSTALL = "--no-prefer-install-dependencies"


def test_the_first_attach_writes_example_cases_the_default_policy_passes(stage) -> None:
    ws = stage("full")  # my-gateway with tools attached
    project = read_json(ws / "packages/my-gateway/project.json")
    assert project["targets"]["test"]["options"] == {"command": "uv run nxaws policy test .", "cwd": "{projectRoot}"}
    cases = json.loads((ws / "packages/my-gateway/policies/tests/permit-all.json").read_text())
    tool = "tools-mcp-server___any_tool"  # the target is named after the server's class, as upstream does
    assert [(c["tool"], c["expect"]) for c in cases] == [(tool, "ALLOW"), (tool, "DENY")]
    result = nxaws(ws, "policy", "test", "packages/my-gateway")
    assert result.code == 0, result
    assert "2 cases, 0 failed." in result.out


def test_removed_example_cases_stay_removed(stage) -> None:
    ws = stage("full")
    tests = ws / "packages/my-gateway/policies/tests"
    for case_file in tests.iterdir():
        case_file.unlink()
    assert nxaws(ws, "g", "connection", "my-gateway", "tools", NO_INSTALL).code == 0
    assert list(tests.iterdir()) == []


def test_a_cognito_gateway_gets_oauth_cases(stage) -> None:
    ws = stage("components")
    assert nxaws(ws, "g", "agentcore-gateway", "users", "--auth", "cognito", "--infra", "none", NO_INSTALL).code == 0
    assert nxaws(ws, "g", "connection", "users", "tools", NO_INSTALL).code == 0
    cases = json.loads((ws / "packages/users/policies/tests/permit-all.json").read_text())
    assert cases[0]["claims"]["sub"] == cases[0]["principal"] and cases[0]["expect"] == "ALLOW"
    result = nxaws(ws, "policy", "test", "packages/users")
    assert result.code == 0, result


def test_without_cedar_policies_there_is_no_policy_test_target(stage) -> None:
    ws = stage("projects")
    assert nxaws(ws, "g", "agentcore-gateway", "open", "--no-cedar-policy", "--infra", "none", NO_INSTALL).code == 0
    assert "test" not in read_json(ws / "packages/open/project.json")["targets"]
