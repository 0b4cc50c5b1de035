"""Whether a target answers: one that timed out is marked down, skipped at once, and probed in the background.

A frozen target (a process stopped in a debugger, a deadlock) would otherwise cost every request its full
timeout. After one timeout it costs nothing: listings leave it out, calls to it fail at once, and a probe
(``ping``, bounded by the same timeout) runs until the target answers again, which brings it straight back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("nxaws.local_gateway")

PROBE_INTERVAL = 1.0  # seconds between a failed probe and the next one


class Health:
    """Up, or down since a timeout with a probe running; ``down_reason`` says why it was marked down."""

    def __init__(self, target: str, probe: Callable[[], Awaitable[None]], interval: float = PROBE_INTERVAL) -> None:
        self.target = target
        self.down_reason: str | None = None
        self._probe = probe
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    def mark_down(self, reason: str) -> None:
        if self.down_reason is not None:
            return
        self.down_reason = reason
        log.warning("target '%s' marked down (%s); it is skipped until it answers again", self.target, reason)
        self._task = asyncio.get_running_loop().create_task(self._probe_until_up())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _probe_until_up(self) -> None:
        while True:
            try:
                await self._probe()
            except Exception:  # still not answering (or broken): try again later
                await asyncio.sleep(self._interval)
                continue
            self.down_reason = None
            log.warning("target '%s' answers again; its tools are back", self.target)
            return
