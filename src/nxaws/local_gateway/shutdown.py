"""Graceful shutdown: requests in flight get a grace period, then a JSON-RPC error instead of a dropped socket."""

from __future__ import annotations

import asyncio
from types import TracebackType


class ShuttingDown(Exception):
    """The gateway stopped this request because it is shutting down."""


class Drain:
    """Tracks the requests being handled so a shutdown can end the ones still running after the grace period."""

    def __init__(self) -> None:
        self.cut = False
        self._running: set[asyncio.Timeout] = set()

    def guard(self) -> _Guard:
        """A scope for one request: ``ShuttingDown`` leaves it when the grace period is over."""
        return _Guard(self)

    def begin(self, grace: float) -> None:
        """Let running requests finish for ``grace`` seconds, then cut them short."""
        asyncio.get_running_loop().call_later(grace, self.cut_short)

    def cut_short(self) -> None:
        self.cut = True
        now = asyncio.get_running_loop().time()
        for scope in list(self._running):
            scope.reschedule(now)


class _Guard:
    """``asyncio.timeout(None)`` that the drain can expire; class-based because it wraps every request."""

    def __init__(self, drain: Drain) -> None:
        self._drain = drain
        self._scope = asyncio.timeout(None)

    async def __aenter__(self) -> None:
        if self._drain.cut:
            raise ShuttingDown()
        await self._scope.__aenter__()
        self._drain._running.add(self._scope)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        self._drain._running.discard(self._scope)
        try:
            await self._scope.__aexit__(kind, exc, tb)
        except TimeoutError:
            if self._scope.expired():
                raise ShuttingDown() from None
            raise
        return False
