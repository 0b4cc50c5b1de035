"""A workspace shaped like the TypeScript plugin's test fixture (reference §7.13), written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.workspaces import write_file as write

AGENT_PY = """\
from contextlib import contextmanager

from strands import Agent
from strands_tools import current_time

from .tools import subtract  # local tools


@contextmanager
def get_agent(session_id: str):
    # build the agent
    yield Agent(
        system_prompt="You are a helpful assistant.",
        tools=[subtract, current_time],
    )


def other(tools=[]):
    return tools   # odd   spacing stays
"""

LANGCHAIN_AGENT_PY = """\
from langchain.agents import create_agent
from langchain_aws import ChatBedrockConverse

from .tools import subtract


def get_agent():
    return create_agent(
        model=ChatBedrockConverse(model="m"),
        tools=[subtract],
        system_prompt="You are a helpful assistant.",
    )
"""


def make_reference_workspace(root: Path, *, framework: str = "strands", gateway: dict | None = None,
                             agent_component: dict | None = None) -> Path:  # fmt: skip
    write(root, "nx.json", {})
    write(root, "package.json", {"name": "@proj/source", "private": True})
    write(root, "pyproject.toml", '[project]\nname = "nx-workspace"\nversion = "1.0.0"\ndependencies = []\n\n'
                                  "[tool.uv.workspace]\nmembers = []\n")  # fmt: skip
    component = {
        "generator": "py#agent",
        "name": "my-agent",
        "path": "my_scope_my_agent/agent",
        "port": 8081,
        "rc": "MyAgent",
        "auth": "iam",
    } | ({"framework": "langchain"} if framework == "langchain" else {})
    component |= agent_component or {}  # fmt: skip
    write(root, "packages/my-agent/project.json", {
        "name": "my_scope.my_agent",
        "root": "packages/my-agent",
        "sourceRoot": "packages/my-agent/my_scope_my_agent",
        "projectType": "application",
        "metadata": {"generator": "py#project", "ports": [8081], "components": [component]},
        "targets": {
            "my-agent-dev": {"executor": "@nxlv/python:run-commands", "continuous": True,
                             "options": {"command": "uv run fastapi dev", "cwd": "{projectRoot}"}},
            "lint": {"executor": "@nxlv/python:ruff-check"},
        },
    })  # fmt: skip
    write(
        root,
        "packages/my-agent/pyproject.toml",
        '[project]\nname = "my-scope-my-agent"\nversion = "1.0.0"\ndependencies = ["strands-agents==1.52.0"]\n',
    )
    agent = LANGCHAIN_AGENT_PY if framework == "langchain" else AGENT_PY
    write(root, "packages/my-agent/my_scope_my_agent/agent/agent.py", agent)
    write(root, "packages/my-gateway/project.json", {
        "name": "@test/my-gateway",
        "root": "packages/my-gateway",
        "sourceRoot": "packages/my-gateway",
        "projectType": "library",
        "metadata": {"generator": "agentcore-gateway", "name": "my-gateway", "rc": "MyGateway", "protocol": "mcp",
                     "auth": "iam", "port": 8100} | (gateway or {}),
        "targets": {"dev": {"executor": "nx:run-commands", "continuous": True, "dependsOn": [],
                            "options": {"command": "tsx local-dev.ts", "cwd": "{projectRoot}"}}},
    })  # fmt: skip
    write(root, "packages/my-gateway/local-dev.ts", "const ATTACHED_MCP_SERVERS: McpServer[] = [];\n")
    return root


@pytest.fixture
def ref_ws(tmp_path: Path) -> Path:
    return make_reference_workspace(tmp_path / "ws")
