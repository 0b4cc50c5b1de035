"""``wire_gateway_target`` / ``wire_invoke_grant``: the two calls the connection generator makes, for either flavour."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.workspaces import changed, clone, snapshot, template

from infra.conftest import STACK
from nxaws.generators.py_infra.steps import wire_gateway_target, wire_invoke_grant
from nxaws.workspace.projects import Workspace
from nxaws.workspace.tree import Tree


def steps(iac: str) -> list[list[str]]:
    return [["g", "py#project", "agents"], ["g", "agentcore-gateway", "my-gateway", "--iac", iac],
            ["g", "py#agent", "agents"], ["g", "py#mcp-server", "agents"]]  # fmt: skip


def wire(ws: Path) -> tuple[str | None, str | None]:
    workspace = Workspace(Tree(ws))
    agents, gateway = workspace.get("agents"), workspace.get("my-gateway")
    by_generator = {c["generator"]: c for c in agents.components}
    done = (wire_gateway_target(workspace, gateway, agents, by_generator["py#mcp-server"]),
            wire_invoke_grant(workspace, gateway, agents, by_generator["py#agent"]))  # fmt: skip
    workspace.tree.commit()
    return done


@pytest.mark.parametrize(("iac", "edited"), [("cdk", STACK), ("terraform", "packages/infra/src/main.tf")])
def test_wiring_edits_the_flavours_file_once(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, iac: str, edited: str
) -> None:
    ws = clone(template(tmp_path_factory.getbasetemp() / f"wire-{iac}", steps(iac)), tmp_path)
    before = snapshot(ws)
    assert wire(ws) == (None, None)
    after = snapshot(ws)
    assert changed(before, after) == [edited]
    text = after[edited].decode()
    if iac == "cdk":
        assert "self.my_gateway.add_mcp_server(self.agents_mcp_server)" in text
        assert "self.my_gateway.grant_invoke_access(self.agents_agent)" in text
    else:
        assert "    module.agents_mcp_server.gateway_target,\n" in text
        assert "Resource = [module.my_gateway.gateway_arn] },\n" in text
    assert wire(ws) == (None, None)
    assert snapshot(ws) == after


def test_a_stack_without_the_constructs_gets_the_line_to_add(tmp_path_factory: pytest.TempPathFactory,
                                                             tmp_path: Path) -> None:  # fmt: skip
    ws = clone(template(tmp_path_factory.getbasetemp() / "wire-cdk", steps("cdk")), tmp_path)
    stack = ws / STACK
    stack.write_text(stack.read_text().replace("self.agents_mcp_server = AgentsMcpServer(self)", "pass"))
    before = snapshot(ws)
    target, grant = wire(ws)
    assert target == (f"Add to ApplicationStack.__init__ in {STACK}, after the constructs it uses:\n"
                      "    self.my_gateway.add_mcp_server(self.agents_mcp_server)")  # fmt: skip
    assert grant is None
    assert changed(before, snapshot(ws)) == [STACK]


def test_a_component_without_infrastructure_is_named(tmp_path: Path) -> None:
    ws = template(tmp_path / "none", [*steps("cdk")[:3], ["g", "py#mcp-server", "agents", "--infra", "none"]])
    workspace = Workspace(Tree(ws))
    agents = workspace.get("agents")
    mcp = next(c for c in agents.components if c["generator"] == "py#mcp-server")
    message = wire_gateway_target(workspace, workspace.get("my-gateway"), agents, mcp)
    assert message is not None and "has no infrastructure (--infra none)" in message
