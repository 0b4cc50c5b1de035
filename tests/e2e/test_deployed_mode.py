"""Deployed mode on one machine (issue 5): ``<agent>-serve`` reads the gateway URL from runtime configuration and
signs every MCP call with SigV4; the local gateway runs in IAM mode and verifies each signature.

AWS is stood in for by local endpoints: the AppConfig data plane by ``runtime.appconfig_local`` (boto3 is pointed
at it with ``AWS_ENDPOINT_URL_APPCONFIGDATA``), the gateway by ``nxaws local-gateway --auth iam``. The
credentials are made-up static keys; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from runtime.appconfig_local import serving_appconfig
from support.procs import running, wait_for_http, wait_for_port

from e2e.conftest import require_free_ports
from e2e.test_local_dev import ANSWER, invoke

pytestmark = pytest.mark.slow

GOOD = {"AWS_ACCESS_KEY_ID": "AKIDE2EAGENT000001", "AWS_SECRET_ACCESS_KEY": "e2e-agent-secret",
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
APP_ID = "acme-runtime-config"
RUNTIME_CONFIG = {(APP_ID, "default", "agentcore"): {"gateways": {"MyGateway": "http://localhost:8100/mcp"}}}

WRONG_CREDENTIALS = """
from acme_agent_connection import MyGatewayClientStrands
try:
    with MyGatewayClientStrands.create() as client:
        client.list_tools_sync()
except Exception as exc:
    print(type(exc).__name__, exc)
else:
    print("no error")
"""


@pytest.fixture(scope="module")
def deployed(acme: Path, tmp_path_factory: pytest.TempPathFactory, agent_env: dict[str, str]) -> Iterator[dict]:
    """MCP server, IAM-mode gateway, local AppConfig, and both agents' `agent-serve` targets run by Nx."""
    require_free_ports()
    logs = tmp_path_factory.mktemp("deployed")
    mcp = ["uv", "run", "uvicorn", "acme_tools.tools.server:app", "--host", "127.0.0.1", "--port", "8000"]
    gateway = ["uv", "run", "nxaws", "local-gateway", "local-gateway.json", "--auth", "iam", "--region", "us-east-1"]
    agents = ["npx", "nx", "run-many", "-t", "agent-serve", "-p", "acme.agents", "acme.lcagents",
              "--excludeTaskDependencies", "--outputStyle=stream"]  # fmt: skip
    with (
        serving_appconfig(RUNTIME_CONFIG) as appconfig,
        running(mcp, cwd=acme / "packages/tools", log=logs / "mcp.log") as mcp_proc,
        running(gateway, cwd=acme / "packages/my-gateway", env=GOOD, log=logs / "gateway.log") as gateway_proc,
    ):
        # The agents sign with GOOD's keys; local-bedrock takes any, so its made-up ones are replaced.
        env = agent_env | GOOD | {"RUNTIME_CONFIG_APP_ID": APP_ID, "AWS_ENDPOINT_URL_APPCONFIGDATA": appconfig.url}
        wait_for_port(8000, timeout=60, proc=mcp_proc)
        wait_for_port(8100, timeout=60, proc=gateway_proc)
        with running(agents, cwd=acme, env=env, log=logs / "agents.log") as agents_proc:
            try:
                for url in ("http://127.0.0.1:8081/ping", "http://127.0.0.1:8082/ping"):
                    wait_for_http(url, timeout=180, proc=agents_proc)
            except Exception:
                print((logs / "agents.log").read_text()[-5000:])
                raise
            yield {"appconfig": appconfig, "gateway_log": logs / "gateway.log", "env": env}


@pytest.mark.parametrize(("port", "framework"), [(8081, "strands"), (8082, "langchain")])
def test_agent_serve_calls_tools_through_sigv4(deployed: dict, port: int, framework: str) -> None:
    assert invoke(port, "please add 40 and 2", session_id=f"{framework}-deployed-add") == ANSWER
    whoami = invoke(port, "whoami", session_id=f"{framework}-deployed-7")
    assert whoami == f"The gateway's tools___whoami tool says: {framework}-deployed-7"


def test_runtime_config_was_read_with_signed_requests(deployed: dict) -> None:
    authorizations = deployed["appconfig"].authorizations
    assert authorizations, "the agents read the gateway URL from AppConfig"
    assert all(a.startswith("AWS4-HMAC-SHA256 Credential=AKIDE2EAGENT000001/") for a in authorizations)


def test_wrong_credentials_get_a_clear_403(acme: Path, deployed: dict) -> None:
    env = os.environ | deployed["env"] | {"AWS_SECRET_ACCESS_KEY": "not-the-right-secret"}
    result = subprocess.run(["uv", "run", "python", "-c", WRONG_CREDENTIALS], cwd=acme, env=env, capture_output=True,
                            text=True, timeout=120, check=False)  # fmt: skip
    assert "403" in result.stdout and "bedrock-agentcore:InvokeGateway" in result.stdout, result.stdout + result.stderr
    assert "not-the-right-secret" not in deployed["gateway_log"].read_text()
