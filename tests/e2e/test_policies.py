"""``nx run @acme/my-gateway:test`` in the generated workspace: the generated example cases pass, a wrong one fails
the run (issue 11). Real Nx from npm, the workspace's own ``uv run nxaws policy test``."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from support.workspaces import tool_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def nx_gateway_test(acme: Path) -> tuple[int, list[str]]:
    """The exit code and stdout lines, without colours or Nx's ``@acme/my-gateway:`` prefix (stderr holds npm's
    and uv's warnings, not read)."""
    command = ["npx", "nx", "run", "@acme/my-gateway:test", "--outputStyle=stream"]
    done = subprocess.run(command, cwd=acme, env=tool_env(), capture_output=True, text=True, timeout=300, check=False)
    plain = (_ANSI.sub("", line).removeprefix("@acme/my-gateway: ") for line in done.stdout.splitlines())
    return done.returncode, list(plain)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_nx_runs_the_gateways_policy_cases_and_fails_on_a_wrong_one(acme: Path) -> None:
    cases = acme / "packages/my-gateway/policies/tests"
    examples = json.loads((cases / "permit-all.json").read_text())
    code, output = nx_gateway_test(acme)
    assert code == 0, output
    for case in examples:
        assert any(line.startswith("pass") and case["name"] in line for line in output), (case, output)
    assert f"{len(examples)} cases, 0 failed." in output

    wrong = cases / "wrong.json"
    stranger = "arn:aws:iam::999999999999:role/Stranger"
    case = {"name": "a stranger may add (wrong)", "principal": stranger, "tool": "tools___add", "input": {"a": 1},
            "expect": "ALLOW"}  # fmt: skip
    wrong.write_text(json.dumps([case]))
    try:
        code, output = nx_gateway_test(acme)
    finally:
        wrong.unlink()
    failing = [line for line in output if line.startswith("FAIL")]
    assert code != 0 and len(failing) == 1, output
    assert "a stranger may add (wrong)" in failing[0] and "(wrong.json)" in failing[0]
    assert f"{len(examples) + 1} cases, 1 failed." in output
