"""``--iac`` on agents and MCP servers: explicit, else the flavour the workspace already uses."""

from __future__ import annotations

import json
from pathlib import Path

from support.workspaces import make_workspace, read_json


def component(ws: Path, project_root: str, generator: str) -> dict:
    config = read_json(ws / project_root / "project.json")
    return next(c for c in config["metadata"]["components"] if c["generator"] == generator)


def test_agent_with_iac_terraform_gets_a_terraform_module(tmp_path: Path) -> None:
    ws = make_workspace(
        tmp_path / "acme", [["g", "py#project", "agents"], ["g", "py#agent", "agents", "--iac", "terraform"]]
    )
    assert component(ws, "packages/agents", "py#agent")["iac"] == "terraform"
    assert list((ws / "packages/common/terraform/src/app/agents").glob("*/*.tf"))
    assert not (ws / "packages/infra/app.py").exists()  # packages/infra is the Terraform root (issue 14), no CDK app
    assert (ws / "packages/infra/src/main.tf").is_file()


def test_mcp_server_inherits_the_workspace_flavour(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme", [
        ["g", "agentcore-gateway", "gw", "--iac", "terraform"],
        ["g", "py#project", "tools"],
        ["g", "py#mcp-server", "tools"],
    ])  # fmt: skip
    assert component(ws, "packages/tools", "py#mcp-server")["iac"] == "terraform"
    assert json.loads((ws / "packages/gw/project.json").read_text())["metadata"]["iac"] == "terraform"


def test_agent_defaults_to_cdk(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme", [["g", "py#project", "agents"], ["g", "py#agent", "agents"]])
    assert component(ws, "packages/agents", "py#agent")["iac"] == "cdk"
    assert (ws / "packages/infra/app.py").is_file()


def test_a_second_gateway_inherits_terraform_and_makes_no_cdk_app(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme", [
        ["g", "agentcore-gateway", "first", "--iac", "terraform"],
        ["g", "agentcore-gateway", "second"],
    ])  # fmt: skip
    assert read_json(ws / "packages/second/project.json")["metadata"]["iac"] == "terraform"
    assert list((ws / "packages/common/terraform/src/app/gateways/second").glob("*.tf"))
    assert not (ws / "packages/infra/app.py").exists()
    assert not (ws / "packages/common/constructs").exists()
