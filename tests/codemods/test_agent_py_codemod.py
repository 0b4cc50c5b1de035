"""The agent.py codemod: scoped, comment-preserving, idempotent, any number of gateways, clear failures."""

from __future__ import annotations

import subprocess
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruff.__main__ import find_ruff_bin

from nxaws.codemods import AgentEditError, add_gateway_client, manual_steps

MODULE = "acme_agent_connection"

# As py#agent (and the TypeScript plugin) generates it, plus a few comments and an unrelated `tools=`.
STRANDS_AGENT = '''\
from contextlib import contextmanager

from acme_agent_connection import log_model_errors, log_tool_errors
from strands import Agent, tool
from strands_tools import current_time

from .session import get_session_manager

# Tools the agent can always use.


@tool
def subtract(a: int, b: int) -> int:
    """Subtract b from a."""
    return a - b


def describe(x):  # not an agent factory
    return  dict(tools=[x],  name = "odd spacing")


@contextmanager
def get_agent(session_id: str):
    # one agent per session
    yield Agent(
        name="MyAgent",
        description="A sample agent.",
        system_prompt="""
You are a mathematical wizard.
Use your tools for mathematical tasks.
""",
        tools=[subtract, current_time],  # local tools
        hooks=[log_model_errors, log_tool_errors],

        session_manager=get_session_manager(),
    )
'''

STRANDS_ONE_GATEWAY = '''\
from contextlib import contextmanager

from acme_agent_connection import MyGatewayClientStrands, log_model_errors, log_tool_errors
from strands import Agent, tool
from strands_tools import current_time

from .session import get_session_manager

# Tools the agent can always use.


@tool
def subtract(a: int, b: int) -> int:
    """Subtract b from a."""
    return a - b


def describe(x):  # not an agent factory
    return  dict(tools=[x],  name = "odd spacing")


@contextmanager
def get_agent(session_id: str):
    my_gateway = MyGatewayClientStrands.create()
    with (
        my_gateway,
    ):
        # one agent per session
        yield Agent(
            name="MyAgent",
            description="A sample agent.",
            system_prompt="""
You are a mathematical wizard.
Use your tools for mathematical tasks.
""",
            tools=[subtract, current_time, *my_gateway.list_tools_sync()],  # local tools
            hooks=[log_model_errors, log_tool_errors],

            session_manager=get_session_manager(),
        )
'''

LANGCHAIN_AGENT = '''\
import os

from langchain.agents import create_agent
from langchain_aws import ChatBedrockConverse
from langchain_core.tools import tool

from .session import get_checkpointer


@tool
def subtract(a: int, b: int) -> int:
    """Subtract b from a."""
    return a - b


def get_agent():
    """The LangGraph agent, built once at startup."""
    # the model comes from the environment
    return create_agent(
        model=ChatBedrockConverse(
            model=os.environ.get("MODEL_ID", "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
            region_name=os.environ.get("AWS_REGION", "us-east-1"),
        ),
        tools=[subtract],  # local tools
        system_prompt="You are a mathematical wizard.",
        checkpointer=get_checkpointer(),
    )


def helper_graph():
    return create_agent(model=None, tools=[subtract])
'''

LANGCHAIN_ONE_GATEWAY = '''\
import os

from langchain.agents import create_agent
from langchain_aws import ChatBedrockConverse
from langchain_core.tools import tool

from .session import get_checkpointer
from acme_agent_connection import MyGatewayClientLangChain


@tool
def subtract(a: int, b: int) -> int:
    """Subtract b from a."""
    return a - b


def get_agent():
    """The LangGraph agent, built once at startup."""
    my_gateway = MyGatewayClientLangChain.create()
    # the model comes from the environment
    return create_agent(
        model=ChatBedrockConverse(
            model=os.environ.get("MODEL_ID", "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
            region_name=os.environ.get("AWS_REGION", "us-east-1"),
        ),
        tools=[subtract, *my_gateway],  # local tools
        system_prompt="You are a mathematical wizard.",
        checkpointer=get_checkpointer(),
    )


def helper_graph():
    return create_agent(model=None, tools=[subtract])
'''


def strands(source: str, var: str = "my_gateway", client_class: str = "MyGatewayClientStrands") -> str:
    return add_gateway_client(source, framework="strands", module=MODULE, client_class=client_class, var=var)


def langchain(source: str, var: str = "my_gateway", client_class: str = "MyGatewayClientLangChain") -> str:
    return add_gateway_client(source, framework="langchain", module=MODULE, client_class=client_class, var=var)


def assert_compiles(source: str) -> None:
    compile(source, "agent.py", "exec")


def ruff_format(source: str) -> str:
    done = subprocess.run(
        [find_ruff_bin(), "format", "--isolated", "--line-length", "120", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def snippet(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


# --- Strands -------------------------------------------------------------------------------------------


def test_strands_first_gateway_exact_output() -> None:
    assert strands(STRANDS_AGENT) == STRANDS_ONE_GATEWAY


def test_strands_reference_case_6() -> None:
    out = strands(STRANDS_AGENT)
    assert "MyGatewayClientStrands" in out
    assert out.count("my_gateway = MyGatewayClientStrands.create()") == 1
    assert "with (\n        my_gateway,\n    ):" in out
    assert "*my_gateway.list_tools_sync()" in out
    assert_compiles(out)


def test_strands_rerun_is_byte_identical() -> None:
    once = strands(STRANDS_AGENT)
    assert strands(once) == once
    assert once.count("MyGatewayClientStrands.create") == 1


def test_strands_three_gateways_share_one_with_block() -> None:
    out = STRANDS_AGENT
    for var, cls in [("alpha", "AlphaClientStrands"), ("beta", "BetaClientStrands"), ("gamma", "GammaClientStrands")]:
        out = strands(out, var, cls)
        assert strands(out, var, cls) == out
    assert out.count("with (") == 1
    assert "    with (\n        alpha,\n        beta,\n        gamma,\n    ):\n" in out
    for var, cls in [("alpha", "AlphaClientStrands"), ("beta", "BetaClientStrands"), ("gamma", "GammaClientStrands")]:
        assert out.count(f"{var} = {cls}.create()") == 1
    assert (
        "tools=[subtract, current_time, *alpha.list_tools_sync(), *beta.list_tools_sync(), "
        "*gamma.list_tools_sync()],  # local tools" in out
    )
    assert "from acme_agent_connection import GammaClientStrands, BetaClientStrands, AlphaClientStrands," in out
    assert_compiles(out)


def test_strands_output_is_stable_under_ruff_format() -> None:
    formatted = ruff_format(STRANDS_AGENT)
    out = strands(formatted)
    assert ruff_format(out) == out
    assert strands(ruff_format(out)) == out


def test_strands_leaves_other_functions_and_module_code_alone() -> None:
    out = strands(STRANDS_AGENT)
    assert '    return  dict(tools=[x],  name = "odd spacing")\n' in out
    assert out.count("list_tools_sync") == 1
    assert "# Tools the agent can always use.\n" in out


def test_strands_missing_or_empty_tools() -> None:
    missing = snippet("""
        @contextmanager
        def get_agent(session_id: str):
            yield Agent(name="MyAgent")
    """)
    assert 'yield Agent(name="MyAgent", tools=[*my_gateway.list_tools_sync()])' in strands(missing)
    empty = missing.replace('name="MyAgent"', "tools=[]")
    assert "yield Agent(tools=[*my_gateway.list_tools_sync()])" in strands(empty)


def test_strands_multiline_tools_list_gets_its_own_line() -> None:
    source = snippet("""
        @contextmanager
        def get_agent():
            yield Agent(
                tools=[
                    subtract,
                    current_time,  # clock
                ],
            )
    """)
    expected = snippet("""
        from acme_agent_connection import MyGatewayClientStrands

        @contextmanager
        def get_agent():
            my_gateway = MyGatewayClientStrands.create()
            with (
                my_gateway,
            ):
                yield Agent(
                    tools=[
                        subtract,
                        current_time,  # clock
                        *my_gateway.list_tools_sync(),
                    ],
                )
    """)
    assert strands(source) == expected


def test_strands_docstring_stays_first_and_params_decorators_kept() -> None:
    source = snippet('''
        import functools


        @functools.cache
        @contextmanager
        def get_agent(session_id: str, *, model: str = "x") -> Iterator[Agent]:  # factory
            """Build the agent."""
            with open_model(model) as llm:
                yield Agent(model=llm, tools=[subtract])
    ''')
    expected = snippet('''
        import functools
        from acme_agent_connection import MyGatewayClientStrands


        @functools.cache
        @contextmanager
        def get_agent(session_id: str, *, model: str = "x") -> Iterator[Agent]:  # factory
            """Build the agent."""
            my_gateway = MyGatewayClientStrands.create()
            with (
                my_gateway,
            ):
                with open_model(model) as llm:
                    yield Agent(model=llm, tools=[subtract, *my_gateway.list_tools_sync()])
    ''')
    assert strands(source) == expected


def test_strands_agents_used_as_tools_are_not_edited() -> None:
    source = snippet("""
        @contextmanager
        def get_agent():
            yield Agent(tools=[Agent(name="helper", tools=[subtract])])
    """)
    out = strands(source)
    assert 'Agent(name="helper", tools=[subtract])' in out
    assert out.count("list_tools_sync") == 1


def test_strands_tools_not_a_list_fails_with_manual_steps() -> None:
    source = snippet("""
        @contextmanager
        def get_agent():
            yield Agent(tools=some_var)
    """)
    with pytest.raises(AgentEditError) as raised:
        strands(source)
    message = str(raised.value)
    assert "not a list literal (`some_var`)" in message
    assert "from acme_agent_connection import MyGatewayClientStrands" in message
    assert "my_gateway = MyGatewayClientStrands.create()" in message
    assert "*my_gateway.list_tools_sync()" in message


def test_strands_returning_the_agent_fails_because_the_client_would_close() -> None:
    source = snippet("""
        def get_agent():
            return Agent(tools=[subtract])
    """)
    with pytest.raises(AgentEditError, match="returns its Agent instead of yielding it"):
        strands(source)


def test_missing_get_agent_fails_with_manual_steps() -> None:
    with pytest.raises(AgentEditError) as raised:
        strands("from strands import Agent\n\nagent = Agent(tools=[subtract])\n")
    message = str(raised.value)
    assert "no top-level `get_agent` function" in message
    assert "    from acme_agent_connection import MyGatewayClientStrands" in message
    assert "    my_gateway = MyGatewayClientStrands.create()" in message


def test_unparsable_agent_py_fails_with_manual_steps() -> None:
    with pytest.raises(AgentEditError, match=r"not valid Python \(line 2") as raised:
        langchain("def get_agent():\n    return create_agent(\n")
    assert "my_gateway = MyGatewayClientLangChain.create()" in str(raised.value)


def test_get_agent_without_an_agent_call_fails() -> None:
    with pytest.raises(AgentEditError, match=r"makes no `Agent\(...\)` call"):
        strands("def get_agent():\n    return build()\n")
    with pytest.raises(AgentEditError, match=r"makes no `create_agent\(...\)` call"):
        langchain("def get_agent():\n    return Agent(tools=[])\n")


@settings(max_examples=10, deadline=None)
@given(
    st.lists(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda v: v not in {"if", "in", "is", "as"}),
        min_size=1,
        max_size=3,
        unique=True,
    )
)
def test_strands_any_number_of_gateways_converges(names: list[str]) -> None:
    out = "@contextmanager\ndef get_agent():\n    yield Agent(tools=[subtract])  # agent\n"
    for name in names:
        out = strands(out, f"gw_{name}", f"Gw{name.title().replace('_', '')}ClientStrands")
    assert out.count("with (") == 1
    assert out.count(".create()") == len(names)
    assert out.count("list_tools_sync") == len(names)
    for name in names:
        assert strands(out, f"gw_{name}", f"Gw{name.title().replace('_', '')}ClientStrands") == out
    assert_compiles(out)


# --- LangChain -----------------------------------------------------------------------------------------


def test_langchain_first_gateway_exact_output() -> None:
    assert langchain(LANGCHAIN_AGENT) == LANGCHAIN_ONE_GATEWAY


def test_langchain_reference_cases_16_and_18() -> None:
    once = langchain(LANGCHAIN_AGENT)
    assert "from acme_agent_connection import MyGatewayClientLangChain" in once
    assert "my_gateway = MyGatewayClientLangChain.create()" in once
    assert "tools=[subtract, *my_gateway]" in once
    assert "list_tools_sync" not in once
    assert "with (" not in once
    assert "from strands" not in once
    twice = langchain(once)
    assert twice == once
    assert twice.count("MyGatewayClientLangChain.create") == 1
    assert twice.count("*my_gateway") == 1
    assert_compiles(twice)


def test_langchain_leaves_other_create_agent_calls_alone() -> None:
    out = langchain(LANGCHAIN_AGENT)
    assert "    return create_agent(model=None, tools=[subtract])\n" in out


def test_langchain_three_gateways() -> None:
    out = LANGCHAIN_AGENT
    for var in ["alpha", "beta", "gamma"]:
        out = langchain(out, var, f"{var.title()}ClientLangChain")
    assert "tools=[subtract, *alpha, *beta, *gamma],  # local tools" in out
    assert '    """The LangGraph agent, built once at startup."""\n    gamma = ' in out
    assert out.count(".create()") == 3
    assert "with (" not in out
    assert_compiles(out)


def test_langchain_missing_or_empty_tools() -> None:
    assert "create_agent(model=m, tools=[*my_gateway])" in langchain(
        "def get_agent():\n    return create_agent(model=m)\n"
    )
    assert "create_agent(model=m, tools=[*my_gateway])" in langchain(
        "def get_agent():\n    return create_agent(model=m, tools=[])\n"
    )
    assert "create_agent(m, [subtract, *my_gateway])" in langchain(
        "def get_agent():\n    return create_agent(m, [subtract])\n"
    )


def test_langchain_output_is_stable_under_ruff_format() -> None:
    out = langchain(ruff_format(LANGCHAIN_AGENT))
    assert ruff_format(out) == out


# --- manual steps --------------------------------------------------------------------------------------


def test_manual_steps_per_framework() -> None:
    steps = manual_steps(framework="strands", module=MODULE, client_class="MyGatewayClientStrands", var="my_gateway")
    assert steps.splitlines()[0] == "from acme_agent_connection import MyGatewayClientStrands"
    assert "my_gateway = MyGatewayClientStrands.create()" in steps
    assert "`with (my_gateway,):`" in steps
    assert "*my_gateway.list_tools_sync()" in steps
    steps = manual_steps(framework="langchain", module=MODULE, client_class="MyGatewayClientLangChain", var="g")
    assert "g = MyGatewayClientLangChain.create()" in steps
    assert "create_agent(..., tools=[..., *g])" in steps
    assert "with" not in steps and "list_tools_sync" not in steps
