"""A framework is one record plus its templates: a third one, defined here, goes through py#agent and the
agent → gateway connection end to end on a virtual tree, with no product code changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.workspaces import write_file

from nxaws import frameworks
from nxaws.frameworks import Framework
from nxaws.generators import load, schema
from nxaws.options import complete_options
from nxaws.workspace.errors import UserError
from nxaws.workspace.tree import Tree

AGENT = "packages/agents/acme_agents/agent"
LIBRARY = "packages/common/agent_connection/acme_agent_connection"


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[Framework]:
    """``build_agent(tools=[...])`` agents whose gateway clients spread as ``*client.tools()``."""
    agent_files, library = tmp_path / "agent-files", tmp_path / "library-files"
    write_file(agent_files, "agent.py.j2", (
        '"""The {{ class_name }} agent."""\n\nfrom fake_framework import build_agent\n\n\n'
        "def get_agent():\n    return build_agent(name=\"{{ class_name }}\", tools=[])\n"
    ))  # fmt: skip
    write_file(agent_files, "main.py.j2", "from {{ connection_module }} import fake_runtime_helper\n")
    write_file(library, "runtime/core/fake_runtime.py", "def fake_runtime_helper() -> None:\n    pass\n")
    write_file(library, "client/app/__gateway_snake___client_fake.py.j2", (
        "class {{ gateway_class }}ClientFake:\n    URL = \"http://localhost:{{ gateway_port }}/mcp\"\n"
    ))  # fmt: skip
    framework = Framework(
        name="fake", label="Fake", agent_call="build_agent", tools_position=0, spread="{var}.tools()",
        keeps_clients_open=False, agent_dependencies=("fastapi",), runtime_dependencies=("uvicorn",),
        client_dependencies=("httpx",), runtime_exports=((".core.fake_runtime", "fake_runtime_helper"),),
        agent_files=agent_files, library_files=library,
    )  # fmt: skip
    frameworks.register(framework)
    try:
        yield framework
    finally:
        frameworks.unregister("fake")


def run(tree: Tree, generator_id: str, **options: object) -> None:
    load(generator_id)(tree, complete_options(generator_id, options))


@pytest.fixture
def tree(stage) -> Tree:
    return Tree(stage("projects"))  # acme.agents and acme.tools, nothing else


def test_a_new_framework_is_offered_and_generated(fake: Framework, tree: Tree) -> None:
    assert "fake" in schema("py#agent")["properties"]["framework"]["enum"]
    run(tree, "py#agent", project="agents", framework="fake")
    assert tree.read_text(f"{AGENT}/agent.py") == (
        '"""The AgentsAgent agent."""\n\nfrom fake_framework import build_agent\n\n\n'
        'def get_agent():\n    return build_agent(name="AgentsAgent", tools=[])\n'
    )
    assert tree.read_text(f"{AGENT}/main.py") == "from acme_agent_connection import fake_runtime_helper\n"
    assert tree.read_text(f"{LIBRARY}/core/fake_runtime.py") is not None
    assert "fake_runtime_helper" in (tree.read_text(f"{LIBRARY}/__init__.py") or "")
    assert "with_session_id" not in (tree.read_text(f"{LIBRARY}/__init__.py") or "")  # Strands' layer only
    assert "fastapi==" in (tree.read_text("packages/agents/pyproject.toml") or "")
    assert "uvicorn==" in (tree.read_text("packages/common/agent_connection/pyproject.toml") or "")
    component = json.loads(tree.read_text("packages/agents/project.json") or "")["metadata"]["components"][0]
    assert component["framework"] == "fake"


def test_a_new_framework_is_connected_to_a_gateway(fake: Framework, tree: Tree) -> None:
    run(tree, "py#agent", project="agents", framework="fake")
    run(tree, "agentcore-gateway", name="my-gateway", infra="none")
    run(tree, "connection", sourceProject="agents", targetProject="my-gateway")
    agent = tree.read_text(f"{AGENT}/agent.py") or ""
    assert "from acme_agent_connection import MyGatewayClientFake" in agent
    assert "my_gateway = MyGatewayClientFake.create()" in agent
    assert 'build_agent(name="AgentsAgent", tools=[*my_gateway.tools()])' in agent
    assert "with (" not in agent  # its clients need not stay open
    client = tree.read_text(f"{LIBRARY}/app/my_gateway_client_fake.py") or ""
    assert client == 'class MyGatewayClientFake:\n    URL = "http://localhost:8100/mcp"\n'
    init = tree.read_text(f"{LIBRARY}/__init__.py") or ""
    assert "from .app.my_gateway_client_fake import MyGatewayClientFake" in init
    library_toml = tree.read_text("packages/common/agent_connection/pyproject.toml") or ""
    assert "httpx==" in library_toml and "mcp==" in library_toml
    assert tree.read_text(f"{LIBRARY}/core/agentcore_transport.py") is not None  # the shared gateway layer
    run(tree, "connection", sourceProject="agents", targetProject="my-gateway")
    assert tree.read_text(f"{AGENT}/agent.py") == agent  # idempotent


def test_unknown_frameworks_are_errors_naming_the_known_ones(tree: Tree) -> None:
    with pytest.raises(UserError, match="framework must be one of strands, langchain; got 'crewai'"):
        run(tree, "py#agent", project="agents", framework="crewai")
    run(tree, "py#agent", project="agents")
    run(tree, "agentcore-gateway", name="my-gateway", infra="none")
    project = json.loads(tree.read_text("packages/agents/project.json") or "")
    project["metadata"]["components"][0]["framework"] = "crewai"
    tree.write("packages/agents/project.json", json.dumps(project))
    with pytest.raises(UserError, match=r"Unknown agent framework 'crewai'\. Known frameworks: strands, langchain"):
        run(tree, "connection", sourceProject="agents", targetProject="my-gateway")
