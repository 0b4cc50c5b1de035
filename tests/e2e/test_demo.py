"""The README's main command, ``nxaws demo``: from nothing to the agent's answer through the local gateway (its
model scripted by ``nxaws local-bedrock``), then the deployed path's SigV4 calls."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.conftest import require_free_ports

pytestmark = pytest.mark.slow


def test_demo_builds_a_workspace_and_the_agent_answers_through_the_gateway(tmp_path: Path) -> None:
    require_free_ports()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result = subprocess.run([sys.executable, "-m", "nxaws", "demo", str(tmp_path / "demo")], env=env,
                            capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "agent (scripted model)> The gateway's tools___add tool says: 42\n" in out
    assert 'it called tools___add({"a": 40, "b": 2}), which the agent ran via the gateway' in out
    assert "SigV4-signed: tools tools___add -> tools___add(40, 2) = 42" in out
    assert "answered HTTP 403" in out and "bedrock-agentcore:InvokeGateway" in out
    assert (
        tmp_path / "demo/packages/common/agent_connection/demo_agent_connection/app/my_gateway_client_strands.py"
    ).is_file()
