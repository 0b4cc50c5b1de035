"""The CDK stack edits a connection makes (issue 14): the gateway target and the invoke grant, scoped to
``ApplicationStack.__init__``, after the constructs they use, idempotent, and None for a stack nxaws cannot read."""

from __future__ import annotations

import pytest

from nxaws.codemods.application_stack import add_wiring


def add_gateway_target(source: str, gateway_attr: str, mcp_attr: str) -> str | None:
    """What ``connection GATEWAY MCP`` adds: ``self.<gateway>.add_mcp_server(self.<mcp>)``."""
    return add_wiring(source, gateway_attr, "add_mcp_server", mcp_attr)


def add_invoke_grant(source: str, gateway_attr: str, agent_attr: str) -> str | None:
    """What ``connection AGENT GATEWAY`` adds: ``self.<gateway>.grant_invoke_access(self.<agent>)``."""
    return add_wiring(source, gateway_attr, "grant_invoke_access", agent_attr)


STACK = """from aws_cdk import Stack


class Helper:
    def __init__(self) -> None:
        self.my_gateway = None
        self.tools_mcp_server = None


class ApplicationStack(Stack):
    def __init__(self, scope, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)  # keep this comment
        self.my_gateway = MyGateway(self)

        # the user's own constructs
        self.bucket = Bucket(self, "Data")
        self.tools_mcp_server = ToolsMcpServer(self)
        self.agents_agent = AgentsAgent(self)
"""


def test_the_target_goes_right_after_the_constructs_it_uses() -> None:
    edited = add_gateway_target(STACK, "my_gateway", "tools_mcp_server")
    assert edited is not None
    created = "        self.tools_mcp_server = ToolsMcpServer(self)\n"
    assert edited == STACK.replace(created, f"{created}        self.my_gateway.add_mcp_server(self.tools_mcp_server)\n")
    assert add_gateway_target(edited, "my_gateway", "tools_mcp_server") == edited


def test_the_grant_goes_after_the_agent_and_both_edits_compose() -> None:
    both = add_invoke_grant(
        add_gateway_target(STACK, "my_gateway", "tools_mcp_server") or "", "my_gateway", "agents_agent"
    )
    assert both is not None
    assert both.endswith(
        "        self.tools_mcp_server = ToolsMcpServer(self)\n"
        "        self.my_gateway.add_mcp_server(self.tools_mcp_server)\n"
        "        self.agents_agent = AgentsAgent(self)\n"
        "        self.my_gateway.grant_invoke_access(self.agents_agent)\n"
    )
    assert "# keep this comment" in both and "        # the user's own constructs\n" in both
    assert both.count("add_mcp_server") == 1 and both.count("grant_invoke_access") == 1
    assert add_invoke_grant(both, "my_gateway", "agents_agent") == both
    assert both.split("class ApplicationStack")[0] == STACK.split("class ApplicationStack")[0]  # Helper untouched


def test_a_second_target_follows_the_first() -> None:
    stack = STACK + "        self.maths_mcp_server = MathsMcpServer(self)\n"
    stack = stack.replace("        self.tools_mcp_server = ToolsMcpServer(self)\n", "")
    stack = stack.replace("        self.my_gateway = MyGateway(self)\n", "        self.my_gateway = MyGateway(self)\n"
                          "        self.tools_mcp_server = ToolsMcpServer(self)\n")  # fmt: skip
    one = add_gateway_target(stack, "my_gateway", "tools_mcp_server")
    two = add_gateway_target(one or "", "my_gateway", "maths_mcp_server")
    assert two is not None
    assert two.endswith(
        "        self.maths_mcp_server = MathsMcpServer(self)\n"
        "        self.my_gateway.add_mcp_server(self.maths_mcp_server)\n"
    )
    assert two.index("add_mcp_server(self.tools_mcp_server)") < two.index("self.bucket = Bucket")


def test_a_call_the_user_wrote_with_options_counts() -> None:
    stack = STACK + '        self.my_gateway.add_mcp_server(self.tools_mcp_server, target_name="tools")\n'
    assert add_gateway_target(stack, "my_gateway", "tools_mcp_server") == stack


@pytest.mark.parametrize(
    "source",
    [
        "x = 1\n",  # no ApplicationStack
        STACK.replace("class ApplicationStack", "class OtherStack"),
        "class ApplicationStack:\n    def __init__(self): self.my_gateway = 1; self.tools_mcp_server = 2\n",
        "class ApplicationStack(:\n",  # not Python
    ],
)
def test_a_stack_nxaws_cannot_read_gives_none(source: str) -> None:
    assert add_gateway_target(source, "my_gateway", "tools_mcp_server") is None
    assert add_invoke_grant(source, "my_gateway", "agents_agent") is None


def test_a_construct_the_stack_does_not_create_gives_none() -> None:
    assert add_gateway_target(STACK, "my_gateway", "maths_mcp_server") is None
    assert add_invoke_grant(STACK, "other_gateway", "agents_agent") is None


def test_a_stack_that_does_not_parse_has_no_attributes_and_cannot_be_wired() -> None:
    from nxaws.codemods.application_stack import stack_attributes

    broken = STACK.replace("def __init__(self", "def __init__(self,,")
    assert stack_attributes(broken) == {}
    assert add_invoke_grant(broken, "my_gateway", "agents_agent") is None
