"""The agents nxaws generates, unmodified: generated into a workspace (no install), imported from it and served
in-process on 127.0.0.1, their models talking to ``nxaws local-bedrock`` and their gateway client to whatever a
test puts on the gateway's local port.

The gateway's local port is set in its project metadata before the agents are connected, as a user with another
gateway on 8100 would have it, so these tests need no fixed port.
"""

from __future__ import annotations

import importlib
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import httpx
from support.mcp_servers import ServerThread
from support.workspaces import make_workspace, nxaws

FRAMEWORKS = {"strands": "agents", "langchain": "lcagents"}  # framework -> the project of its agent
SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id"


def generate_agents(base: Path, gateway_port: int) -> dict[str, ModuleType]:
    """Both agents' ``main`` modules, by framework, from a freshly generated workspace with a unique scope."""
    scope = f"w{uuid.uuid4().hex[:8]}"
    steps = [
        ["g", "py#project", "agents"],
        ["g", "py#agent", "agents"],
        ["g", "py#project", "lcagents"],
        ["g", "py#agent", "lcagents", "--framework", "langchain"],
        ["g", "agentcore-gateway", "my-gateway"],
    ]
    workspace = make_workspace(base / scope, steps)
    project_json = workspace / "packages/my-gateway/project.json"
    project = json.loads(project_json.read_text())
    project["metadata"]["port"] = gateway_port
    project_json.write_text(json.dumps(project, indent=2) + "\n")
    for project_name in FRAMEWORKS.values():
        result = nxaws(workspace, "g", "connection", project_name, "my-gateway", "--no-prefer-install-dependencies")
        assert result.code == 0, result
    for folder in ("packages/agents", "packages/lcagents", "packages/common/agent_connection"):
        sys.path.insert(0, str(workspace / folder))
    return {name: importlib.import_module(f"{scope}_{project}.agent.main") for name, project in FRAMEWORKS.items()}


class AgentServer:
    """A generated agent's FastAPI app served by uvicorn (its lifespan runs: one session pool per server)."""

    def __init__(self, main: ModuleType) -> None:
        self.main = main
        self._thread = ServerThread(main.app)
        self.url = f"http://127.0.0.1:{self._thread.port}"

    @property
    def pool(self):
        """The agents by session (``SessionPool``) of this server's lifespan."""
        state = self.main.app.state
        return state.agent.sessions if hasattr(state, "agent") else state.agents

    def invoke(self, prompt: str, session_id: str | None = None, timeout: float = 60) -> httpx.Response:
        headers = {SESSION_HEADER: session_id} if session_id else {}
        return httpx.post(f"{self.url}/invocations", json={"prompt": prompt}, headers=headers, timeout=timeout)

    def lines(self, prompt: str, session_id: str | None = None) -> list[dict]:
        """The streamed JSON lines of one invocation."""
        response = self.invoke(prompt, session_id)
        assert response.status_code == 200, response.text
        return [json.loads(line) for line in response.text.splitlines() if line]

    def answer(self, prompt: str, session_id: str | None = None) -> str:
        lines = self.lines(prompt, session_id)
        assert all("error" not in line for line in lines), lines
        return "".join(line["content"] for line in lines)


@contextmanager
def serving_agent(main: ModuleType) -> Iterator[AgentServer]:
    server = AgentServer(main)
    server._thread.start()
    try:
        yield server
    finally:
        server._thread.stop()
