"""``nxaws local-bedrock`` as users run it: a process serving a script file until SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from support.procs import free_port, running, wait_for_port

from .conftest import MODEL_ID, user

SCRIPT = '- contains: hello\n  text: ["Hi ", "from a file"]\n'


@pytest.mark.timeout(120)
def test_serves_a_script_file_and_exits_0_on_sigterm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "script.yaml").write_text(SCRIPT)
    port, log = free_port(), tmp_path / "bedrock.log"
    command = [sys.executable, "-m", "nxaws", "local-bedrock", "--port", str(port), "--script",
               str(tmp_path / "script.yaml")]  # fmt: skip
    with running(command, log=log) as proc:
        wait_for_port(port, timeout=60, proc=proc)
        url = f"http://127.0.0.1:{port}"
        for name, value in {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url, "AWS_ACCESS_KEY_ID": "AKIDLOCAL",
                            "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        client = boto3.session.Session().client("bedrock-runtime")
        response = client.converse(modelId=MODEL_ID, messages=[user("hello there")])
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert response["output"]["message"]["content"] == [{"text": "Hi from a file"}]
    start, *rest = log.read_text().splitlines()
    assert start.startswith("local-bedrock (scripted Bedrock Runtime, 1 turns from ")
    assert start.endswith(f"on {url} -- export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={url}")
    assert rest == [f"Converse {MODEL_ID} -> turn 1: text"]


def test_a_bad_script_exits_1_naming_the_file_and_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"text": "ok"}, {"tool_use": {"name": "x"}, "error": "Throttled"}]')
    result = subprocess.run([sys.executable, "-m", "nxaws", "local-bedrock", "--port", "0", "--script", str(bad)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: Script {bad}, turn 2: error type 'Throttled' is not one sent by")


def test_the_usage_lists_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    from nxaws.cli import main

    assert main(["--help"]) == 0
    assert "local-bedrock [--port N] [--script FILE]" in capsys.readouterr().out
