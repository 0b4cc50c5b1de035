"""The generated readiness probe (CDK trigger Lambda and Terraform script) against real MCP servers on 127.0.0.1:
it signs like the deployed gateway expects (the local gateway's IAM mode verifies every signature), waits for a
server that is not up yet, and gives up with the reason when one never answers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.mcp_servers import ServerThread, math_server, serving
from support.procs import free_port

from nxaws.generators.py_infra.readiness_probe import render_readiness_probe
from nxaws.local_gateway import GatewayConfig, IamAuth, Target, create_app
from nxaws.processes import kill_group

pytestmark = pytest.mark.timeout(120)
KEY, SECRET, REGION = "AKIDREADINESSPROBE", "readiness-probe-test-secret", "eu-west-1"


@pytest.fixture(scope="module")
def script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("probe")
    for rel, text in render_readiness_probe().items():
        (folder / rel).write_text(text)
    return folder / "readiness_probe.py"


@pytest.fixture(scope="module")
def iam_gateway() -> Iterator[str]:
    """An IAM-mode local gateway (SigV4 verified as AgentCore does) in front of a real MCP server."""
    with serving(math_server()) as math:
        app = create_app(GatewayConfig("gw", (Target("math", math.url),)), auth=IamAuth(KEY, SECRET, REGION))
        thread = ServerThread(app).start()
        try:
            yield thread.url
        finally:
            thread.stop()


def probe(
    script: Path, *args: str, secret: str = SECRET, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment |= {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": REGION,
                    "PROBE_INTERVAL_SECONDS": "0.2", "NO_PROXY": "127.0.0.1", **env}  # fmt: skip
    proc = subprocess.Popen([sys.executable, str(script), *args], cwd=script.parent, env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        kill_group(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_the_probe_signs_as_agentcore_expects(script: Path, iam_gateway: str) -> None:
    done = probe(script, iam_gateway)
    assert done.returncode == 0, done
    assert f"{iam_gateway} is ready: 2 tool(s)" in done.stdout


def test_a_wrong_signature_is_retried_until_the_deadline_then_named(script: Path, iam_gateway: str) -> None:
    started = time.monotonic()
    failed = probe(script, iam_gateway, secret="not-the-secret", PROBE_DEADLINE_SECONDS="1")
    assert failed.returncode == 1, failed
    assert failed.stderr.startswith("readiness probe: MCP servers not ready after 1s:")
    assert iam_gateway in failed.stderr and "403" in failed.stderr
    assert time.monotonic() - started < 30
    assert "not-the-secret" not in failed.stderr + failed.stdout


def test_the_probe_waits_for_a_server_that_starts_later(script: Path) -> None:
    port = free_port()
    starting: list[ServerThread] = []
    later = threading.Timer(
        1.5, lambda: starting.append(ServerThread(math_server().streamable_http_app(), port).start())
    )
    later.start()
    try:
        done = probe(script, PROBE_DEADLINE_SECONDS="30", MCP_ENDPOINTS=f"http://127.0.0.1:{port}/mcp")
    finally:
        later.join()
        for server in starting:
            server.stop()
    assert done.returncode == 0, done
    assert f"http://127.0.0.1:{port}/mcp is ready: 2 tool(s)" in done.stdout


def test_the_lambda_handler_reads_its_endpoints_from_the_environment(script: Path) -> None:
    with serving(math_server()) as math:
        code = "import readiness_probe; readiness_probe.handler({}, None)"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environment |= {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": REGION,
                        "MCP_ENDPOINTS": f"{math.url},{math.url}"}  # fmt: skip
        done = subprocess.run([sys.executable, "-c", code], cwd=script.parent, env=environment, text=True,
                              capture_output=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done
    assert done.stdout.count(f"{math.url} is ready: 2 tool(s)") == 1  # one endpoint listed twice is probed once


NO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_CONFIG_FILE": "/dev/null",
                  "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip


def test_without_credentials_it_says_so(script: Path, iam_gateway: str) -> None:
    failed = probe(script, iam_gateway, **NO_CREDENTIALS)
    assert failed.returncode == 1 and "No AWS credentials" in failed.stderr, failed
