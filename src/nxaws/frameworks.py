"""Agent frameworks: everything nxaws knows about one framework, in one record.

The agent generator, the agent → gateway connection and the ``agent.py`` codemod read these records and
nothing else; adding a framework is one more :class:`Framework` (``register``) plus its templates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_GENERATORS = Path(__file__).parent / "generators"


@dataclass(frozen=True)
class Framework:
    """How agents of one framework are generated, and how a gateway client is wired into them."""

    name: str  # option value and module suffix: ``app/<gateway>_client_<name>.py``
    label: str  # class suffix: ``<Gateway>Client<label>``
    agent_call: str  # the call ``get_agent`` makes to build the agent: ``Agent``, ``create_agent``
    tools_position: int  # index of ``tools`` when it is passed positionally
    spread: str  # what goes after ``*`` in the tools list, ``{var}`` being the client variable
    keeps_clients_open: bool  # the client must stay open while the agent runs: a shared ``with`` block
    agent_dependencies: tuple[str, ...]  # third-party packages of the agent's project
    runtime_dependencies: tuple[str, ...]  # of the agent_connection library, for agents of this framework
    client_dependencies: tuple[str, ...]  # of the agent_connection library, once a gateway is connected
    runtime_exports: tuple[tuple[str, str], ...]  # (module, name) the library re-exports for its agents
    agent_files: Path  # the agent's templates (``agent.py``, ``main.py``, ...)
    library_files: Path  # ``runtime/`` (with the agent) and ``client/`` (per gateway) library layers

    def client_class(self, gateway_class: str) -> str:
        """``MyGatewayClientStrands``."""
        return f"{gateway_class}Client{self.label}"

    def client_module(self, gateway_snake: str) -> str:
        """``.app.my_gateway_client_strands``, relative to the library package."""
        return f".app.{gateway_snake}_client_{self.name}"


STRANDS = Framework(
    name="strands",
    label="Strands",
    agent_call="Agent",
    tools_position=2,  # Agent(model, messages, tools)
    spread="{var}.list_tools_sync()",
    keeps_clients_open=True,
    agent_dependencies=("boto3", "fastapi", "strands-agents", "uvicorn"),
    runtime_dependencies=("strands-agents",),
    client_dependencies=("strands-agents",),
    runtime_exports=((".core.with_session_id_strands", "with_session_id"),),
    agent_files=_GENERATORS / "py_agent" / "files" / "strands",
    library_files=_GENERATORS / "connection" / "files" / "strands",
)
LANGCHAIN = Framework(
    name="langchain",
    label="LangChain",
    agent_call="create_agent",
    tools_position=1,  # create_agent(model, tools)
    spread="{var}",
    keeps_clients_open=False,
    agent_dependencies=("fastapi", "langchain", "langchain-aws", "langgraph", "uvicorn"),
    runtime_dependencies=(),
    client_dependencies=("langchain-mcp-adapters",),
    runtime_exports=(),
    agent_files=_GENERATORS / "py_agent" / "files" / "langchain",
    library_files=_GENERATORS / "connection" / "files" / "langchain",
)
_FRAMEWORKS: dict[str, Framework] = {f.name: f for f in (STRANDS, LANGCHAIN)}


class UnknownFramework(ValueError):
    """A framework name nxaws has no record for; the message names the known ones."""


def get(name: str | Framework) -> Framework:
    """The record for ``name`` (a record is returned as is)."""
    if isinstance(name, Framework):
        return name
    try:
        return _FRAMEWORKS[name]
    except KeyError:
        raise UnknownFramework(f"Unknown agent framework '{name}'. Known frameworks: {', '.join(names())}.") from None


def names() -> list[str]:
    return list(_FRAMEWORKS)


def all_frameworks() -> Iterator[Framework]:
    return iter(_FRAMEWORKS.values())


def register(framework: Framework) -> None:
    """Make ``framework`` known to the generators (its templates must exist where the record says)."""
    existing = _FRAMEWORKS.get(framework.name)
    if existing is not None and existing != framework:
        raise ValueError(f"A different framework named '{framework.name}' is already registered.")
    _FRAMEWORKS[framework.name] = framework


def unregister(name: str) -> None:
    _FRAMEWORKS.pop(name, None)
