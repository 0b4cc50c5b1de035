"""``nxaws local-runtime-config`` as users run it: a process serving appconfigdata, read by Powertools + boto3."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from support.procs import free_port, running, wait_for_port

READ = """
from aws_lambda_powertools.utilities.parameters import AppConfigProvider
provider = AppConfigProvider(environment="default", application="demo-app")
print(provider.get("agentcore", transform="json"))
"""


def test_serves_documents_from_set_options(tmp_path, monkeypatch):
    port = free_port()
    command = [sys.executable, "-m", "nxaws", "local-runtime-config", "--app-id", "demo-app", "--port", str(port),
               "--set", "agentcore.gateways.MyGateway=http://localhost:8100/mcp",
               "--set", 'agentcore.agentRuntimes={"A": {"arn": "x"}}']  # fmt: skip
    with running(command, log=tmp_path / "rc.log") as proc:
        wait_for_port(port, timeout=30, proc=proc)
        env = {"AWS_ENDPOINT_URL_APPCONFIGDATA": f"http://127.0.0.1:{port}", "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "local"}  # fmt: skip
        result = subprocess.run([sys.executable, "-c", READ], env=env, capture_output=True, text=True, timeout=60)
        proc.send_signal(signal.SIGTERM)  # a requested stop, as Nx ends a continuous target: exit 0, not 143
        assert proc.wait(timeout=10) == 0
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(
        {"gateways": {"MyGateway": "http://localhost:8100/mcp"}, "agentRuntimes": {"A": {"arn": "x"}}}
    )
    assert f"AWS_ENDPOINT_URL_APPCONFIGDATA=http://127.0.0.1:{port}" in (tmp_path / "rc.log").read_text()


def test_rejects_a_malformed_set(capsys):
    from nxaws.local_runtime_config import main

    with pytest.raises(SystemExit) as exc:
        main(["--set", "nodot=1"])
    assert exc.value.code == 2
    assert "NAMESPACE.KEY=VALUE" in capsys.readouterr().err
