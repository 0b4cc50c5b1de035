"""The AgentCore runtime session id of the request being served.

A ContextVar rather than a parameter, so the gateway auth can stamp it on outgoing MCP requests without
every layer in between passing it along; asyncio tasks and Strands' MCP thread copy it at creation.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

agentcore_session_id: ContextVar[str | None] = ContextVar("agentcore_session_id", default=None)


def get_current_session_id() -> str | None:
    """The session id bound by the innermost ``session_id_context``, or None outside one."""
    return agentcore_session_id.get()


@contextmanager
def session_id_context(session_id: str | None) -> Iterator[None]:
    """Bind ``session_id`` for the duration of the block."""
    token = agentcore_session_id.set(session_id)
    try:
        yield
    finally:
        agentcore_session_id.reset(token)
