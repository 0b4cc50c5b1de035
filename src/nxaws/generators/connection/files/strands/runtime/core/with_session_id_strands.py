"""One Strands agent per AgentCore runtime session, built lazily and kept open until shutdown.

``get_agent()`` usually opens gateway MCP clients in a ``with`` block; entering it once per session (not
per request, not once for everyone) keeps each session's tools, memory and session header its own.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from strands import Agent

from .session_context import get_current_session_id


class _SessionAgents:
    """Resolves the agent for the current session id, entering ``agent_factory()`` on first use."""

    def __init__(self, factory: Callable[[], AbstractContextManager[Agent]], stack: ExitStack) -> None:
        self._factory = factory
        self._stack = stack
        self._agents: dict[str, Agent] = {}

    def current(self) -> Agent:
        session_id = get_current_session_id() or "default"
        if session_id not in self._agents:
            self._agents[session_id] = self._stack.enter_context(self._factory())
        return self._agents[session_id]


@contextmanager
def with_session_id(
    agent_factory: Callable[[], AbstractContextManager[Agent]], *, name: str, description: str
) -> Iterator[Any]:
    """Yield an agent proxy; calls, attributes, ``stream_async`` and ``invoke_async`` use the session's agent."""
    with ExitStack() as stack:
        agents = _SessionAgents(agent_factory, stack)

        class SessionAgent:
            def __getattr__(self, attr: str) -> Any:
                return getattr(agents.current(), attr)

            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                return agents.current()(*args, **kwargs)

            def stream_async(self, *args: Any, **kwargs: Any) -> Any:
                return agents.current().stream_async(*args, **kwargs)

            async def invoke_async(self, *args: Any, **kwargs: Any) -> Any:
                return await agents.current().invoke_async(*args, **kwargs)

        SessionAgent.name = name
        SessionAgent.description = description
        yield SessionAgent()
