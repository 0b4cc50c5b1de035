"""One Strands agent per AgentCore runtime session, built off the event loop and closed when idle.

``get_agent()`` usually opens gateway MCP clients in a ``with`` block; entering it once per session (not
per request, not once for everyone) keeps each session's tools, memory and session header its own.
``SessionPool`` (``session_pool.py``) bounds how many there are and how long an idle one lives.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from strands import Agent
from strands.agent import AgentResult

from .session_pool import SessionPool


class SessionAgent:
    """Stands for the current session's agent: ``stream_async`` and ``invoke_async`` use (and build) it.

    A session runs one invocation at a time; another one meanwhile raises ``SessionBusyError``.
    """

    def __init__(self, sessions: SessionPool[Agent], name: str, description: str) -> None:
        self.sessions = sessions
        self.name = name
        self.description = description

    async def stream_async(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with self.sessions.use() as agent:
            async for event in agent.stream_async(*args, **kwargs):
                yield event

    async def invoke_async(self, *args: Any, **kwargs: Any) -> AgentResult:
        async with self.sessions.use() as agent:
            return await agent.invoke_async(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        """Other attributes of the session's agent, once its first invocation has built it."""
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self.sessions.current(), attr)


@contextmanager
def with_session_id(
    agent_factory: Callable[[], AbstractContextManager[Agent]],
    *,
    name: str,
    description: str,
    max_sessions: int | None = None,
    idle_timeout: float | None = None,
) -> Iterator[SessionAgent]:
    """Yield a ``SessionAgent`` over ``agent_factory``; every session's agent is closed on exit."""
    with SessionPool(agent_factory, max_sessions=max_sessions, idle_timeout=idle_timeout) as sessions:
        yield SessionAgent(sessions, name, description)
