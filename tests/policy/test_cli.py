"""``nxaws policy check|test`` through the real command line (``python -m nxaws``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support.policies import AGENT_A, AGENT_B, FORBID_B_DELETE, FORBID_BIG_REFUNDS, OTHER_ACCOUNT


def nxaws(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nxaws", "policy", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


def check(gateway: Path, principal: str, tool: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return nxaws("check", str(gateway), "--principal", principal, "--tool", tool, *extra)


def test_check_prints_the_decision_first_and_exits_by_it(gateway: Path) -> None:
    (gateway / "policies/forbid-big-refunds.cedar").write_text(FORBID_BIG_REFUNDS)
    allowed = check(gateway, AGENT_A, "shop___refund", "--input", '{"amount": 5}')
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.splitlines()[:2] == [
        "ALLOW",
        f"determining policy: permit-all.cedar ({gateway}/policies/permit-all.cedar:3)",
    ]
    denied = check(gateway, AGENT_A, "shop___refund", "--input", '{"amount": 500}')
    lines = denied.stdout.splitlines()
    assert (
        denied.returncode == 3
        and lines[0] == "DENY"
        and lines[1].startswith("determining policy: forbid-big-refunds.cedar")
    )
    answer = json.loads(lines[2].removeprefix("gateway answer: "))
    assert answer["code"] == -32002 and answer["message"].endswith(
        "[Policy evaluation denied due to forbid-big-refunds.cedar]"
    )
    errored = check(gateway, AGENT_A, "shop___refund", "--input", '{"currency": "EUR"}')
    assert (
        errored.returncode == 3 and "error: error while evaluating policy `forbid-big-refunds.cedar`" in errored.stdout
    )
    stranger = check(gateway, OTHER_ACCOUNT, "math___add")
    assert stranger.returncode == 3 and "denied by default" in stranger.stdout


def test_check_rejects_bad_input_unknown_tools_and_usage_errors(gateway: Path) -> None:
    bad_json = check(gateway, AGENT_A, "math___add", "--input", "{amount: 5")
    assert bad_json.returncode == 1 and bad_json.stderr.startswith("Error: --input is not valid JSON")
    not_object = check(gateway, AGENT_A, "math___add", "--claims", "[1]")
    assert not_object.returncode == 1 and "--claims must be a JSON object, not list" in not_object.stderr
    for tool in ("add", "nope___add", "math___"):
        unknown = check(gateway, AGENT_A, tool)
        assert unknown.returncode == 1 and f"Unknown tool '{tool}'" in unknown.stderr, unknown.stderr
        assert "attached targets: math, shop" in unknown.stderr
    usage = nxaws("check", str(gateway), "--tool", "math___add")
    assert usage.returncode == 2 and "--principal" in usage.stderr
    missing = nxaws("check", "no-such-gateway", "--principal", AGENT_A, "--tool", "math___add", cwd=gateway)
    assert missing.returncode == 1 and "not inside an Nx workspace" in missing.stderr


def test_bad_policies_exit_1_with_file_line_and_message(gateway: Path) -> None:
    broken = gateway / "policies/broken.cedar"
    broken.write_text("permit (\n  principal,\n  action\n  resource\n);\n")
    syntax = check(gateway, AGENT_A, "math___add")
    assert syntax.returncode == 1 and syntax.stdout == ""
    assert f"{broken}:4: unexpected token `resource`" in syntax.stderr
    broken.write_text("forbid (principal is AgentCore::Agent, action, resource);\n")
    unknown_type = check(gateway, AGENT_A, "math___add")
    assert unknown_type.returncode == 1
    assert f"{broken}:1: unrecognized entity type `AgentCore::Agent`" in unknown_type.stderr


def test_projects_resolve_by_nx_name_and_typescript_plugin_workspaces_work(tmp_path: Path, gateway: Path) -> None:
    (tmp_path / "nx.json").write_text("{}")
    (tmp_path / "package.json").write_text('{"name": "@acme/source"}')
    (gateway / "project.json").write_text('{"name": "@acme/my-gateway", "root": "my-gateway"}')
    for name in ("my-gateway", "@acme/my-gateway"):
        result = nxaws("check", name, "--principal", AGENT_B, "--tool", "math___add", cwd=tmp_path)
        assert result.returncode == 0 and result.stdout.startswith("ALLOW\n"), result.stderr
    (gateway / "local-gateway.json").unlink()
    (gateway / "local-dev.ts").write_text(
        "const ATTACHED_MCP_SERVERS = [\n  { name: 'tools', url: 'http://localhost:8000/mcp' },\n];\n"
    )
    (gateway / "policies/permit-all.cedar").write_text(  # the TypeScript plugin's EJS form
        'permit (principal is AgentCore::IamEntity, action, resource == AgentCore::Gateway::"<%= gatewayArn %>")\n'
        'when { principal.id like "arn:aws:*::<%= accountId %>:*" };\n'
    )
    assert check(gateway, AGENT_A, "tools___echo").returncode == 0
    assert "attached targets: tools" in check(gateway, AGENT_A, "math___add").stderr


def write_cases(gateway: Path, cases: object) -> Path:
    path = gateway / "policies/tests/cases.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(cases))
    return path


def case(name: str, principal: str, tool: str, expect: str, **extra: object) -> dict[str, object]:
    return {"name": name, "principal": principal, "tool": tool, "input": {}, "expect": expect, **extra}


def test_policy_test_runs_the_cases_and_fails_on_a_wrong_expectation(gateway: Path) -> None:
    (gateway / "policies/forbid-b-delete.cedar").write_text(FORBID_B_DELETE)
    cases = [
        case("A may delete", AGENT_A, "shop___delete", "ALLOW"),
        case("B may not", AGENT_B, "shop___delete", "DENY"),
        case("a JWT caller", "u-1", "math___add", "DENY", claims={"sub": "u-1"}),  # an OAuthUser: IAM policy
    ]
    write_cases(gateway, cases)
    passed = nxaws("test", str(gateway))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines()[0].split() == ["RESULT", "CASE", "EXPECT", "GOT", "DETERMINING"]
    assert "pass    B may not     DENY    DENY   forbid-b-delete.cedar" in passed.stdout
    write_cases(gateway, [*cases, case("stranger", OTHER_ACCOUNT, "math___add", "ALLOW")])
    failed = nxaws("test", str(gateway))
    assert failed.returncode == 3 and "FAIL    stranger" in failed.stdout and "4 cases, 1 failed." in failed.stdout


def test_policy_test_rejects_malformed_case_files(gateway: Path) -> None:
    path = write_cases(gateway, [case("typo", AGENT_A, "math___add", "allow")])
    bad = nxaws("test", str(gateway))
    assert bad.returncode == 1 and f"{path}, case 1: expect must be ALLOW or DENY, not 'allow'" in bad.stderr
    write_cases(gateway, [case("t", AGENT_A, "mth___add", "ALLOW")])
    assert "case 1: Unknown tool 'mth___add'" in nxaws("test", str(gateway)).stderr
    path.write_text("[{")
    not_json = nxaws("test", str(gateway))
    assert not_json.returncode == 1 and f"{path} is not valid JSON" in not_json.stderr


def test_a_gateway_without_policies_has_nothing_to_check(gateway: Path) -> None:
    (gateway / "policies/permit-all.cedar").unlink()
    result = check(gateway, AGENT_A, "math___add")
    assert result.returncode == 1 and "holds no .cedar files" in result.stderr
