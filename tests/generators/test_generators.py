"""Each generator through the real CLI (in process): dry runs write nothing, re-runs change nothing, and the
project.json shapes are the reference's (§1.7, §1.9, §2.6–§2.8, §3.3–§3.4, §4, §5)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from support.workspaces import changed, nxaws, read_json, snapshot

NO_INSTALL = "--no-prefer-install-dependencies"
# (stage to start from, command): every generator, including the workspace generator.
RUNS = {
    "py#project": ("empty", ["g", "py#project", "agents"]),
    "py#project-library": ("projects", ["g", "py#project", "my-lib", "--type", "library", "--directory", "libs"]),
    "py#agent": ("projects", ["g", "py#agent", "agents"]),
    "py#agent-langchain": ("projects", ["g", "py#agent", "agents", "--framework=langchain", "--name", "Chat Bot"]),
    "py#mcp-server": ("projects", ["g", "py#mcp-server", "tools"]),
    "agentcore-gateway": ("projects", ["g", "agentcore-gateway", "my-gateway"]),
    "connection": ("gateway", ["g", "connection", "my-gateway", "tools"]),
}
LISTED = re.compile(r"^(CREATE|UPDATE|DELETE) (\S+)", re.MULTILINE)


def listed(output: str) -> list[str]:
    return sorted(path for _, path in LISTED.findall(output))


@pytest.mark.parametrize("run", RUNS)
def test_dry_run_writes_nothing_and_lists_what_a_real_run_writes(stage, run: str) -> None:
    start, command = RUNS[run]
    ws = stage(start)
    before = snapshot(ws)
    dry = nxaws(ws, *command, "--dry-run")
    assert dry.code == 0, dry
    assert snapshot(ws) == before
    assert 'The "--dry-run" flag means no changes were made.' in dry.out
    real = nxaws(ws, *command, NO_INSTALL)
    assert real.code == 0, real
    assert listed(dry.out) == listed(real.out) == changed(before, snapshot(ws)) != []


@pytest.mark.parametrize("run", RUNS)
def test_second_run_changes_nothing(stage, run: str) -> None:
    start, command = RUNS[run]
    ws = stage(start)
    assert nxaws(ws, *command, NO_INSTALL).code == 0
    before = snapshot(ws)
    again = nxaws(ws, *command, NO_INSTALL)
    assert again.code == 0, again
    assert "No changes" in again.out and listed(again.out) == []
    assert snapshot(ws) == before


def test_new_dry_run_creates_no_directory(tmp_path: Path) -> None:
    result = nxaws(tmp_path, "new", "acme", "--dry-run", "--no-install")
    assert result.code == 0, result
    assert {".gitignore", ".python-version", "nx.json", "package.json", "pyproject.toml"} <= set(listed(result.out))
    assert list(tmp_path.iterdir()) == []


def test_new_workspace_files(templates: dict[str, Path]) -> None:
    ws = templates["empty"]
    package = read_json(ws / "package.json")
    assert package["name"] == "@acme/source" and "nx" in package["devDependencies"]
    root = tomllib.loads((ws / "pyproject.toml").read_text())
    assert root["tool"]["uv"]["workspace"]["members"] == []
    dev = root["dependency-groups"]["dev"]
    assert any(d.startswith("ruff==") for d in dev) and any(d.startswith("pytest==") for d in dev)
    assert any(d.split("=")[0].strip() == "nxaws" for d in dev)
    assert re.fullmatch(r"3\.\d+\n", (ws / ".python-version").read_text())
    assert (ws / "nx.json").is_file() and (ws / ".gitignore").is_file()


# project.json shapes ---------------------------------------------------------------------------------------
PROJECT_KEYS = ["name", "$schema", "root", "sourceRoot", "projectType", "tags", "metadata", "targets"]


def test_python_project_shape(templates: dict[str, Path]) -> None:
    ws = templates["projects"]
    config = read_json(ws / "packages/agents/project.json")
    assert list(config) == PROJECT_KEYS
    assert config["name"] == "acme.agents"
    assert config["root"] == "packages/agents" and config["sourceRoot"] == "packages/agents/acme_agents"
    assert config["metadata"] == {"generator": "py#project"}
    assert list(config["targets"]) == sorted(config["targets"])
    pyproject = tomllib.loads((ws / "packages/agents/pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "acme-agents"
    root = tomllib.loads((ws / "pyproject.toml").read_text())
    assert root["tool"]["uv"]["workspace"]["members"] == ["packages/agents", "packages/tools"]
    assert root["tool"]["uv"]["sources"]["acme-agents"] == {"workspace": True}
    assert {"acme-agents", "acme-tools"} <= set(root["project"]["dependencies"])


def test_agent_project_shape(templates: dict[str, Path]) -> None:
    config = read_json(templates["components"] / "packages/agents/project.json")
    assert list(config) == PROJECT_KEYS
    metadata = config["metadata"]
    assert list(metadata) == ["generator", "ports", "components"]
    assert metadata["ports"] == [8081]
    [agent] = metadata["components"]
    assert agent == {"generator": "py#agent", "path": "acme_agents/agent", "name": "agent", "port": 8081,
                     "rc": "AgentsAgent", "auth": "iam", "protocol": "http", "framework": "strands",
                     "iac": "cdk"}  # fmt: skip
    assert list(agent)[:3] == ["generator", "path", "name"]
    targets = config["targets"]
    assert list(targets) == sorted(targets)
    assert targets["dev"] == {"dependsOn": ["agent-dev"], "continuous": True}
    # Issue 11: the dev target also says who the agent is to the local gateway's Cedar policies.
    principal = "arn:aws:iam::123456789012:role/AgentsAgent"
    dev_env = {"PORT": "8081", "LOCAL_DEV": "true", "NXAWS_LOCAL_PRINCIPAL": principal}
    for name, env in (("agent-serve", {"PORT": "8081"}), ("agent-dev", dev_env)):
        assert targets[name]["executor"] == "nx:run-commands" and targets[name]["continuous"] is True
        assert targets[name]["options"]["env"] == env and targets[name]["options"]["cwd"] == "{projectRoot}"
    assert (templates["components"] / "packages/agents/acme_agents/agent/agent.py").is_file()


def test_mcp_server_project_shape(templates: dict[str, Path]) -> None:
    config = read_json(templates["components"] / "packages/tools/project.json")
    assert config["metadata"]["ports"] == [8000]
    assert config["metadata"]["components"] == [
        {"generator": "py#mcp-server", "path": "acme_tools/mcp_server", "name": "mcp-server", "port": 8000,
         "rc": "ToolsMcpServer", "auth": "iam", "iac": "cdk"}
    ]  # fmt: skip
    targets = config["targets"]
    assert targets["dev"] == {"dependsOn": ["mcp-server-dev"], "continuous": True}
    assert targets["mcp-server-dev"]["options"]["env"] == {"PORT": "8000", "LOCAL_DEV": "true"}
    assert "8000" in " ".join(targets["mcp-server-serve"]["options"]["commands"])


def test_gateway_project_shape(templates: dict[str, Path]) -> None:
    ws = templates["full"]
    config = read_json(ws / "packages/my-gateway/project.json")
    assert list(config) == PROJECT_KEYS
    assert config["name"] == "@acme/my-gateway" and config["projectType"] == "library"
    metadata = config["metadata"]
    assert {k: v for k, v in metadata.items() if k != "components"} == {
        "ports": [8100], "generator": "agentcore-gateway", "name": "my-gateway", "rc": "MyGateway",
        "protocol": "mcp", "auth": "iam", "port": 8100, "iac": "cdk",
    }  # fmt: skip
    assert metadata["components"] == [
        {"generator": "agentcore-gateway#mcp-connection", "path": "packages/tools", "name": "tools-mcp-server"}
    ]
    targets = config["targets"]
    assert list(targets) == ["serve", "dev", "test"]  # test: issue 11, the Cedar policy cases
    assert targets["serve"]["dependsOn"] == []
    assert targets["dev"]["dependsOn"] == [{"projects": ["acme.tools"], "target": "mcp-server-dev"}]
    for target in (targets["serve"], targets["dev"]):
        assert list(target) == ["executor", "dependsOn", "continuous", "options"]
        assert target["continuous"] is True and target["options"]["env"] == {"PORT": "8100"}
    assert (ws / "packages/my-gateway/policies/permit-all.cedar").is_file()
    assert (ws / "packages/my-gateway/policies/README.md").is_file()


def test_gateway_options(stage) -> None:
    ws = stage("projects")
    result = nxaws(ws, "g", "agentcore-gateway", "ShopFront Gateway", "--protocol", "http", "--no-cedar-policy",
                   "--infra=none", NO_INSTALL)  # fmt: skip
    assert result.code == 0, result
    config = read_json(ws / "packages/shop-front-gateway/project.json")
    assert config["name"] == "@acme/shop-front-gateway"
    assert config["metadata"]["rc"] == "ShopFrontGateway" and config["metadata"]["protocol"] == "http"
    assert "iac" not in config["metadata"]
    assert not (ws / "packages/shop-front-gateway/policies").exists()


def test_ports_are_unique_across_components_and_gateways(stage) -> None:
    ws = stage("full")
    steps = [["g", "py#mcp-server", "agents", "--name", "more-tools"], ["g", "agentcore-gateway", "other"],
             ["g", "py#agent", "tools", "--name", "helper"]]  # fmt: skip
    for step in steps:
        assert nxaws(ws, *step, NO_INSTALL).code == 0
    agents = read_json(ws / "packages/agents/project.json")["metadata"]
    tools = read_json(ws / "packages/tools/project.json")["metadata"]
    other = read_json(ws / "packages/other/project.json")["metadata"]
    assert agents["ports"] == [8081, 8001]
    assert other["ports"] == [8101] and other["port"] == 8101
    assert tools["ports"] == [8000, 8082]


def test_user_edits_to_generated_files_survive_a_rerun(stage) -> None:
    ws = stage("components")
    server = ws / "packages/tools/acme_tools/mcp_server/server.py"
    server.write_text("# my own server\n")
    assert nxaws(ws, "g", "py#mcp-server", "tools", NO_INSTALL).code == 0
    assert server.read_text() == "# my own server\n"


def test_changes_are_listed_sorted_by_path(stage) -> None:
    result = nxaws(stage("gateway"), "g", "connection", "agents", "my-gateway", NO_INSTALL)
    assert result.code == 0, result
    paths = [path for _, path in LISTED.findall(result.out)]
    assert len(paths) > 3 and paths == sorted(paths)


def test_a_rerun_says_nothing_changed_rather_than_what_now_appears(stage) -> None:
    ws = stage("full")  # the gateway already has tools attached
    again = nxaws(ws, "g", "connection", "my-gateway", "tools", NO_INSTALL)
    assert again.code == 0, again
    assert "No changes" in again.out
    assert "now appear" not in again.out


def test_new_takes_the_same_install_option_as_every_generator(tmp_path: Path) -> None:
    for flags in (["--no-install"], ["--no-prefer-install-dependencies"], ["--prefer-install-dependencies=false"]):
        result = nxaws(tmp_path, "new", "acme", "--dry-run", "--json", *flags)
        assert result.code == 0, result
        assert '"install": []' in result.out, flags
    assert '"npm"' in nxaws(tmp_path, "new", "acme", "--dry-run", "--json").out


def test_three_gateways_keep_the_agent_within_the_workspace_line_length(stage) -> None:
    """The third spread would push `tools=[...]` past 120 characters: that one list goes one item per line."""
    ws = stage("gateway")
    for gateway in ("second-gateway", "third-gateway"):
        assert nxaws(ws, "g", "agentcore-gateway", gateway, "--infra", "none", NO_INSTALL).code == 0
    for gateway in ("my-gateway", "second-gateway", "third-gateway"):
        assert nxaws(ws, "g", "connection", "agents", gateway, NO_INSTALL).code == 0
    agent_py = ws / "packages/agents/acme_agents/agent/agent.py"
    source = agent_py.read_text()
    assert "                *third_gateway.list_tools_sync(),\n            ],\n" in source
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(agent_py)], cwd=ws,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert lint.returncode == 0, lint.stdout
    assert max(len(line) for line in source.splitlines()) <= 120
