"""Infra generation is idempotent, --dry-run writes nothing, and the stack edit is scoped and repeatable."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.workspaces import snapshot

from infra.conftest import g, make_workspace, nxaws
from nxaws.codemods.application_stack import add_construct, stack_attributes


@pytest.mark.parametrize("iac", ["cdk", "terraform"])
def test_running_generators_again_changes_nothing(tmp_path: Path, iac: str) -> None:
    ws = make_workspace(tmp_path, iac=iac)
    before = snapshot(ws)
    g(ws, "agentcore-gateway", "my-gateway", "--iac", iac)
    g(ws, "py#agent", "agents")
    g(ws, "py#mcp-server", "agents")
    g(ws, "py#infra", "--iac", iac)
    assert snapshot(ws) == before


def test_dry_run_writes_nothing_with_infra_on(tmp_path: Path) -> None:
    nxaws(tmp_path, "new", "acme", "--no-install")
    ws = tmp_path / "acme"
    g(ws, "py#project", "agents")
    before = snapshot(ws)
    for argv in (["agentcore-gateway", "gw"], ["py#agent", "agents"], ["py#mcp-server", "agents"], ["py#infra"]):
        g(ws, *argv, "--dry-run")
    assert snapshot(ws) == before


def test_py_infra_alone_makes_the_cdk_app(tmp_path: Path) -> None:
    nxaws(tmp_path, "new", "acme", "--no-install")
    ws = tmp_path / "acme"
    g(ws, "py#infra")
    assert (ws / "packages/infra/app.py").is_file()
    assert (ws / "packages/common/constructs/acme_constructs/core/runtime_config.py").is_file()
    assert '"packages/infra"' in (ws / "pyproject.toml").read_text()


STACK = """from typing import Any

from aws_cdk import Stack


class Other:
    def __init__(self) -> None:
        pass


class ApplicationStack(Stack):
    def __init__(self, scope: Any, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)  # keep this comment
        self.custom = Custom(self)
"""


def test_stack_edit_adds_one_line_to_the_stack_only() -> None:
    edited = add_construct(STACK, "acme_constructs.app.gateways", "MyGateway", "my_gateway")
    assert edited is not None
    assert "from acme_constructs.app.gateways import MyGateway\n" in edited
    assert edited.endswith("        self.custom = Custom(self)\n        self.my_gateway = MyGateway(self)\n")
    assert "# keep this comment" in edited and "class Other:\n    def __init__(self) -> None:\n        pass" in edited
    assert add_construct(edited, "acme_constructs.app.gateways", "MyGateway", "other") == edited
    assert stack_attributes(edited) == {"Custom": "custom", "MyGateway": "my_gateway"}


def test_stack_edit_reports_a_stack_it_cannot_edit() -> None:
    assert add_construct("x = 1\n", "m", "MyGateway", "my_gateway") is None


def test_connecting_grants_with_the_stack_attribute_names_the_user_chose(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    stack = ws / "packages/infra/acme_infra/stacks/application_stack.py"
    stack.write_text(stack.read_text().replace("self.my_gateway", "self.tools_gateway"))
    g(ws, "connection", "agents", "my-gateway")
    assert "        self.tools_gateway.grant_invoke_access(self.agents_agent)\n" in stack.read_text()
