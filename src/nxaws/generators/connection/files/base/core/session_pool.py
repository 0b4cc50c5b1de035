"""One agent per AgentCore runtime session, built off the event loop, bounded in number and idle time.

Each session gets its own agent (its memory, its gateway clients, its session header). ``SessionPool`` keeps
at most ``max_sessions`` of them (env ``AGENT_MAX_SESSIONS``, default 32; a Strands agent holds a thread and a
few sockets per gateway): making room closes the least recently used idle one. An agent unused for
``idle_timeout`` seconds (env ``AGENT_SESSION_IDLE_TIMEOUT``, default 900, AgentCore Runtime's own idle-session
timeout) is closed too. Closing exits the context manager the factory returned, which closes that agent's
gateway clients.

A session answers one request at a time: a second one while it is busy gets ``SessionBusyError`` (HTTP 409),
never a second conversation interleaved with the first. A build that fails is not kept, so the next request
tries again (e.g. once the gateway is up).
"""

import asyncio
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from typing import Any, Generic, TypeVar

from .session_context import get_current_session_id, session_id_context

T = TypeVar("T")
MAX_SESSIONS_ENV = "AGENT_MAX_SESSIONS"
IDLE_TIMEOUT_ENV = "AGENT_SESSION_IDLE_TIMEOUT"
logger = logging.getLogger(__name__)


class SessionUnavailableError(RuntimeError):
    """This session's agent cannot take a request now; ``status_code`` is the HTTP status to answer."""

    status_code = 503


class SessionBusyError(SessionUnavailableError):
    status_code = 409


class _Entry:
    """One session's agent: reserved (busy, not yet built) until its factory has entered."""

    def __init__(self) -> None:
        self.manager: AbstractContextManager[Any] | None = None
        self.agent: Any = None
        self.busy = True
        self.dropped = False
        self.last_used = time.monotonic()


class SessionPool(Generic[T]):
    """Agents by session id: ``async with pool.use() as agent`` (the current session's, built if need be)."""

    def __init__(
        self,
        factory: Callable[[], AbstractContextManager[T]],
        *,
        max_sessions: int | None = None,
        idle_timeout: float | None = None,
    ) -> None:
        self._factory = factory
        self.max_sessions = max_sessions or int(_setting(MAX_SESSIONS_ENV, 32))
        self.idle_timeout = idle_timeout or _setting(IDLE_TIMEOUT_ENV, 900)
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first
        self._retiring: list[_Entry] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._closer: threading.Thread | None = None

    def __len__(self) -> int:
        """Sessions with an agent (or one being built)."""
        return len(self._entries)

    def __enter__(self) -> "SessionPool[T]":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def check(self, session_id: str | None = None) -> None:
        """Raise the ``SessionUnavailableError`` that ``use()`` would raise now, to answer it before streaming."""
        key = _key(session_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.busy:
                raise _busy(key)
            if entry is None and len(self._entries) >= self.max_sessions and self._idlest() is None:
                raise _full(self.max_sessions)

    @asynccontextmanager
    async def use(self, session_id: str | None = None) -> AsyncIterator[T]:
        """The session's agent, held for this block; it is built in a worker thread the first time."""
        session_id = session_id or get_current_session_id()
        key = _key(session_id)
        entry = self._claim(key)
        try:
            if entry.manager is None:
                await asyncio.to_thread(self._build, session_id, entry)
        except BaseException:
            self._drop(key, entry)
            raise
        try:
            yield entry.agent
        finally:
            self._release(entry)

    def current(self, session_id: str | None = None) -> T:
        """The session's agent if it has been built, without holding it."""
        key = _key(session_id)
        entry = self._entries.get(key)
        if entry is None or entry.manager is None:
            raise LookupError(f"Session {key} has no agent yet: its first request builds one.")
        return entry.agent

    def close(self) -> None:
        """Close every agent (at shutdown)."""
        with self._lock:
            self._closed = True
            entries = [*self._retiring, *self._entries.values()]
            for entry in entries:
                entry.dropped = True  # one still being built is closed by its builder
            self._retiring.clear()
            self._entries.clear()
        self._wake.set()
        if self._closer is not None:
            self._closer.join(timeout=30)
        for entry in entries:
            _close(entry)

    def _claim(self, key: str) -> _Entry:
        with self._lock:
            if self._closed:
                raise SessionUnavailableError("The agent server is shutting down.")
            entry = self._entries.get(key)
            if entry is not None:
                if entry.busy:
                    raise _busy(key)
                entry.busy = True
                self._entries.move_to_end(key)
                return entry
            while len(self._entries) >= self.max_sessions:
                idlest = self._idlest()
                if idlest is None:
                    raise _full(self.max_sessions)
                self._retire(idlest)
            self._entries[key] = entry = _Entry()
            self._start_closer()
            return entry

    def _build(self, session_id: str | None, entry: _Entry) -> None:
        with session_id_context(session_id):  # what the agent's gateway clients stamp on their requests
            manager = self._factory()
            agent = manager.__enter__()
        with self._lock:
            entry.manager, entry.agent = manager, agent
            orphaned = entry.dropped  # the request gave up (cancelled) while this was being built
        if orphaned:
            _close(entry)

    def _drop(self, key: str, entry: _Entry) -> None:
        with self._lock:
            entry.dropped = True
            if self._entries.get(key) is entry:
                del self._entries[key]

    def _release(self, entry: _Entry) -> None:
        with self._lock:
            entry.busy = False
            entry.last_used = time.monotonic()

    def _idlest(self) -> str | None:
        return next((key for key, entry in self._entries.items() if not entry.busy), None)

    def _retire(self, key: str) -> None:
        # Closing may block (MCP clients join their threads): the closer thread does it, never the event loop.
        self._retiring.append(self._entries.pop(key))
        self._wake.set()

    def _start_closer(self) -> None:
        if self._closer is None:
            self._closer = threading.Thread(target=self._run_closer, name="session-pool-closer", daemon=True)
            self._closer.start()

    def _run_closer(self) -> None:
        interval = max(0.05, min(self.idle_timeout / 4, 30.0))
        while True:
            self._wake.wait(interval)
            self._wake.clear()
            with self._lock:
                if self._closed:
                    return
                deadline = time.monotonic() - self.idle_timeout
                for key in [k for k, e in self._entries.items() if not e.busy and e.last_used <= deadline]:
                    self._retiring.append(self._entries.pop(key))
                retiring, self._retiring = self._retiring, []
            for entry in retiring:
                _close(entry)


def _key(session_id: str | None) -> str:
    return session_id or get_current_session_id() or "default"


def _busy(key: str) -> SessionBusyError:
    return SessionBusyError(f"Session {key} is answering another request; send this one when that has finished.")


def _full(limit: int) -> SessionUnavailableError:
    return SessionUnavailableError(f"All {limit} session agents are busy ({MAX_SESSIONS_ENV}); try again shortly.")


def _close(entry: _Entry) -> None:
    if entry.manager is None:
        return
    try:
        entry.manager.__exit__(None, None, None)
    except Exception:
        logger.exception("Closing a session's agent failed")


def _setting(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        number = float(value) if value else default
    except ValueError:
        number = 0
    if number <= 0:
        raise ValueError(f"{name}={value!r} is not a number greater than 0.")
    return number
