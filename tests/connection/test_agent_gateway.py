"""``nxaws g connection <agent> <gateway>``: the TypeScript plugin's own cases (reference §7.13) and SPEC §5."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connection.conftest import make_reference_workspace
from support.workspaces import snapshot
from support.workspaces import write_file as write

from nxaws.cli import main

AC = "packages/common/agent_connection/proj_agent_connection"
AGENT_PY = "packages/my-agent/my_scope_my_agent/agent/agent.py"


def connect(ws: Path, monkeypatch, *extra: str, capsys=None) -> int:
    monkeypatch.chdir(ws)
    return main(["g", "connection", "my_scope.my_agent", "@test/my-gateway", "--no-interactive",
                 "--no-prefer-install-dependencies", *extra])  # fmt: skip


def read(ws: Path, rel: str) -> str:
    return (ws / rel).read_text()


# --- reference cases 1-8, 13-14 (Strands) -------------------------------------------------------------------------
def test_scaffolds_agent_connection(ref_ws, monkeypatch):
    assert connect(ref_ws, monkeypatch) == 0
    for rel in ("packages/common/agent_connection/project.json", f"{AC}/core/auth/sigv4.py",
                f"{AC}/core/agentcore_gateway_mcp_client_strands.py", f"{AC}/core/agentcore_gateway_mcp_transport.py",
                f"{AC}/core/agentcore_transport.py", f"{AC}/core/auth/session.py",
                f"{AC}/app/my_gateway_client_strands.py", f"{AC}/core/runtime_config.py"):  # fmt: skip
        assert (ref_ws / rel).is_file(), rel
    client = read(ref_ws, f"{AC}/app/my_gateway_client_strands.py")
    assert "class MyGatewayClientStrands" in client and "LOCAL_DEV" in client
    assert '"gateways"' in client and '"MyGateway"' in client
    assert "def get_agentcore_runtime_config" in read(ref_ws, f"{AC}/core/runtime_config.py")
    init = read(ref_ws, f"{AC}/__init__.py")
    assert "MyGatewayClientStrands" in init and "my_gateway_client_strands" in init


def test_gateway_port_is_baked_into_the_local_url(tmp_path, monkeypatch):
    ws = make_reference_workspace(tmp_path, gateway={"port": 8123})
    assert connect(ws, monkeypatch) == 0
    client = read(ws, f"{AC}/app/my_gateway_client_strands.py")
    assert "http://localhost:8123/mcp" in client and "without_auth" in client


def test_agent_py_is_wired_with_one_with_block(ref_ws, monkeypatch):
    assert connect(ref_ws, monkeypatch) == 0
    agent = read(ref_ws, AGENT_PY)
    assert "from proj_agent_connection import MyGatewayClientStrands" in agent
    assert "my_gateway = MyGatewayClientStrands.create()" in agent
    assert "with (\n        my_gateway,\n    ):" in agent
    assert "tools=[subtract, current_time, *my_gateway.list_tools_sync()]" in agent
    compile(agent, AGENT_PY, "exec")


def test_dev_target_boots_the_gateway(ref_ws, monkeypatch):
    assert connect(ref_ws, monkeypatch) == 0
    project = json.loads(read(ref_ws, "packages/my-agent/project.json"))
    assert {"projects": ["@test/my-gateway"], "target": "dev"} in project["targets"]["my-agent-dev"]["dependsOn"]
    assert "my-agent-serve" not in project["targets"]  # only existing targets are wired


def test_running_twice_changes_nothing(ref_ws, monkeypatch):
    assert connect(ref_ws, monkeypatch) == 0
    before = snapshot(ref_ws)
    assert connect(ref_ws, monkeypatch) == 0
    assert snapshot(ref_ws) == before
    assert read(ref_ws, AGENT_PY).count("MyGatewayClientStrands.create") == 1


# --- reference cases 9-12: validations, each leaving the tree byte-identical ---------------------------------------
@pytest.mark.parametrize(
    ("gateway", "component", "message"),
    [
        ({"protocol": "Runtime"}, {}, "Only MCP-protocol gateways are supported"),
        ({"auth": "Cognito"}, {}, "Agent connections currently require the gateway to use IAM authentication"),
        ({"auth": "IAM"}, {}, "require the gateway to use IAM authentication"),  # case-sensitive on purpose
        ({"generator": "py#project"}, {}, "does not support a connection"),
    ],
)
def test_validation_errors_write_nothing(tmp_path, monkeypatch, capsys, gateway, component, message):
    ws = make_reference_workspace(tmp_path, gateway=gateway, agent_component=component)
    before = snapshot(ws)
    assert connect(ws, monkeypatch) == 1
    assert message in capsys.readouterr().err
    assert snapshot(ws) == before


def test_a_cognito_agent_connects_to_an_iam_gateway(tmp_path, monkeypatch):
    """Reference case 11 expected "Only IAM-authenticated agents can connect to IAM gateways"; upstream removed
    that guard in awslabs/nx-plugin-for-aws PR #1257: an agent's outbound calls are always SigV4-signed with its
    execution role, whatever its inbound auth (issue 14)."""
    ws = make_reference_workspace(tmp_path, agent_component={"auth": "cognito"})
    assert connect(ws, monkeypatch) == 0
    assert "MyGatewayClientStrands.create()" in read(ws, AGENT_PY)


def test_project_level_agent_source_needs_a_component(tmp_path, monkeypatch, capsys):
    ws = make_reference_workspace(tmp_path)
    before = snapshot(ws)
    assert connect(ws, monkeypatch, "--sourceComponent=.") == 1
    assert "does not support a connection" in capsys.readouterr().err
    assert snapshot(ws) == before


# --- reference cases 15-18 (LangChain) ----------------------------------------------------------------------------
def test_langchain_files_and_agent_edit(tmp_path, monkeypatch):
    ws = make_reference_workspace(tmp_path, framework="langchain")
    assert connect(ws, monkeypatch) == 0
    assert (ws / f"{AC}/core/agentcore_gateway_mcp_client_langchain.py").is_file()
    assert (ws / f"{AC}/core/agentcore_gateway_mcp_transport.py").is_file()
    client = read(ws, f"{AC}/app/my_gateway_client_langchain.py")
    assert "list[BaseTool]" in client and "AgentCoreGatewayMCPClientLangChain" in client
    assert "strands" not in client.lower()
    assert not (ws / f"{AC}/core/with_session_id_strands.py").exists()
    agent = read(ws, AGENT_PY)
    assert "from proj_agent_connection import MyGatewayClientLangChain" in agent
    assert "my_gateway = MyGatewayClientLangChain.create()" in agent
    assert "tools=[subtract, *my_gateway]" in agent
    assert "list_tools_sync" not in agent and "with (" not in agent and "from strands" not in agent
    assert "langchain-mcp-adapters" in read(ws, "packages/common/agent_connection/pyproject.toml")
    before = snapshot(ws)
    assert connect(ws, monkeypatch) == 0
    assert snapshot(ws) == before
    assert read(ws, AGENT_PY).count("MyGatewayClientLangChain.create") == 1


# --- SPEC §5 differences --------------------------------------------------------------------------------------------
def test_other_functions_and_comments_are_untouched(ref_ws, monkeypatch):
    assert connect(ref_ws, monkeypatch) == 0
    agent = read(ref_ws, AGENT_PY)
    assert "def other(tools=[]):\n    return tools   # odd   spacing stays\n" in agent
    assert "# build the agent" in agent and "# local tools" in agent


def test_three_gateways_share_one_with_block(ref_ws, monkeypatch):
    for name in ("alpha-gw", "beta-gw"):
        write(ref_ws, f"packages/{name}/project.json", {
            "name": f"@test/{name}", "root": f"packages/{name}", "sourceRoot": f"packages/{name}",
            "metadata": {"generator": "agentcore-gateway", "name": name, "rc": name.title().replace("-", ""),
                         "protocol": "mcp", "auth": "iam", "port": 8101 if name == "alpha-gw" else 8102},
        })  # fmt: skip
    monkeypatch.chdir(ref_ws)
    for gateway in ("@test/my-gateway", "@test/alpha-gw", "@test/beta-gw"):
        assert main(["g", "connection", "my_scope.my_agent", gateway, "--no-prefer-install-dependencies"]) == 0
    agent = read(ref_ws, AGENT_PY)
    assert agent.count("with (") == 1
    assert "tools=[subtract, current_time, *my_gateway.list_tools_sync(), *alpha_gw.list_tools_sync(), " in agent
    for client in ("MyGatewayClientStrands", "AlphaGwClientStrands", "BetaGwClientStrands"):
        assert agent.count(f"{client}.create()") == 1
        assert client in read(ref_ws, f"{AC}/__init__.py")
    compile(agent, AGENT_PY, "exec")


def test_unrecognisable_get_agent_fails_with_the_lines_to_add(ref_ws, monkeypatch, capsys):
    (ref_ws / AGENT_PY).write_text("from strands import Agent\n\nAGENT = Agent(tools=[])\n")
    before = snapshot(ref_ws)
    assert connect(ref_ws, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "get_agent" in err and "MyGatewayClientStrands.create()" in err
    assert snapshot(ref_ws) == before


def test_missing_agent_py_warns_and_prints_the_lines(ref_ws, monkeypatch, capsys):
    (ref_ws / AGENT_PY).unlink()
    assert connect(ref_ws, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "WARNING" in out and "MyGatewayClientStrands.create()" in out
    assert (ref_ws / f"{AC}/app/my_gateway_client_strands.py").is_file()


def test_workspace_dependency_and_metadata(ref_ws, monkeypatch):
    assert connect(ref_ws, monkeypatch) == 0
    pyproject = read(ref_ws, "packages/my-agent/pyproject.toml")
    assert '"proj-agent-connection"' in pyproject
    assert "proj-agent-connection = {workspace = true}" in pyproject
    root = read(ref_ws, "pyproject.toml")
    assert "packages/common/agent_connection" in root
    components = json.loads(read(ref_ws, "packages/my-agent/project.json"))["metadata"]["components"]
    assert components[-1] == {
        "generator": "py#agent#gateway-connection",
        "path": "my_scope_my_agent/agent/agent.py",
        "name": "MyGateway",
        "framework": "strands",
        "sourcePath": "my_scope_my_agent/agent",
    }


def test_ambiguous_when_a_project_has_two_agents(ref_ws, monkeypatch, capsys):
    config = json.loads(read(ref_ws, "packages/my-agent/project.json"))
    config["metadata"]["components"].append({"generator": "py#agent", "name": "second", "path": "x/second"})
    write(ref_ws, "packages/my-agent/project.json", config)
    before = snapshot(ref_ws)
    assert connect(ref_ws, monkeypatch) == 1
    assert "Ambiguous connection" in capsys.readouterr().err
    assert snapshot(ref_ws) == before
    assert connect(ref_ws, monkeypatch, "--source-component=my-agent") == 0
    assert "MyGatewayClientStrands.create()" in read(ref_ws, AGENT_PY)


def test_generated_library_passes_ruff(ref_ws, monkeypatch):
    import subprocess

    from ruff.__main__ import find_ruff_bin

    assert connect(ref_ws, monkeypatch) == 0
    package = ref_ws / "packages/common/agent_connection"
    settings = ["--isolated", "--line-length", "120", "--select", "E,F,UP,B,SIM,I", "--target-version", "py311"]
    check = subprocess.run([find_ruff_bin(), "check", *settings, "."], cwd=package, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run([find_ruff_bin(), "format", "--check", "--isolated", "--line-length", "120", "."],
                         cwd=package, capture_output=True, text=True)  # fmt: skip
    assert fmt.returncode == 0, fmt.stdout
