"""One generated workspace for the end-to-end tests: built, installed (uv sync, npm install) once per session.

acme.agents (Strands agent, :8081) and acme.lcagents (LangChain agent, :8082) are connected to the
@acme/my-gateway gateway (:8100), which has the acme.tools MCP server (:8000) attached as target ``tools``.
These ports are fixed by the generators, so the end-to-end tests run one at a time. The agents run unmodified:
their models are Strands' ``BedrockModel`` and LangChain's ``ChatBedrockConverse``, pointed at ``nxaws
local-bedrock`` with ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME`` (``agent_env``).
"""

from __future__ import annotations

import io
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nxaws import engine
from nxaws.demo import NX_ENV, build
from nxaws.local_bedrock import LocalBedrock, serving_bedrock

STEPS: list[tuple[str, dict[str, object]]] = [
    ("py#project", {"name": "agents"}),
    ("py#agent", {"project": "agents"}),
    ("py#project", {"name": "lcagents"}),
    ("py#agent", {"project": "lcagents", "framework": "langchain"}),
    ("py#project", {"name": "tools"}),
    ("py#mcp-server", {"project": "tools", "name": "tools"}),
    ("agentcore-gateway", {"name": "my-gateway"}),
    ("connection", {"sourceProject": "my-gateway", "targetProject": "tools"}),
    ("connection", {"sourceProject": "agents", "targetProject": "my-gateway"}),
    ("connection", {"sourceProject": "lcagents", "targetProject": "my-gateway"}),
]
# A tool added by hand, as a user would: it answers with the session id the call arrived with.
WHOAMI_TOOL = '''

@mcp.tool()
def whoami() -> str:
    """The AgentCore session id of this call."""
    request = mcp.get_context().request_context.request
    return request.headers.get("x-amzn-bedrock-agentcore-runtime-session-id", "") if request else ""
'''
FIXED_PORTS = (8000, 8081, 8082, 8100)


def _busy(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def require_free_ports() -> None:
    """The generated targets listen on fixed ports: say so plainly when something else holds one."""
    busy = [p for p in FIXED_PORTS if _busy(p)]
    if busy:
        pytest.fail(f"port(s) {busy} are in use; the end-to-end tests need 8000, 8081, 8082 and 8100 free")


@pytest.fixture(scope="session")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("e2e") / "acme"
    build(root, STEPS, install=False, out=io.StringIO())
    server = root / "packages/tools/acme_tools/tools/server.py"
    source = server.read_text()
    anchor = "\n\napp = mcp.streamable_http_app()"
    server.write_text(source.replace(anchor, WHOAMI_TOOL + anchor))
    engine.install(root, {"npm", "uv"}, sys.stderr)
    yield root


@pytest.fixture(scope="session")
def bedrock() -> Iterator[LocalBedrock]:
    """``nxaws local-bedrock`` with its built-in script, in this process; agents reach it over HTTP."""
    with serving_bedrock() as server:
        yield server


@pytest.fixture(scope="session")
def agent_env(bedrock: LocalBedrock) -> dict[str, str]:
    """Environment for Nx-run agents: their real Bedrock clients go to local-bedrock (made-up credentials)."""
    return {**NX_ENV, **bedrock.client_env()}
