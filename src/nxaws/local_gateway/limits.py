"""The gateway's bounds: requests in flight per target (with a bounded queue) and reply bytes per call or batch."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class Busy(Exception):
    """Every slot of a target is taken and its queue is full: the request is refused, not queued."""


class ReplyTooLarge(Exception):
    """A reply went over its byte limit; ``str()`` names the limit and the setting that controls it."""


class Slots:
    """At most ``limit`` requests at once; up to ``queued`` more wait for a slot, anything beyond is refused."""

    def __init__(self, limit: int, queued: int) -> None:
        self.limit = limit
        self.queued = queued
        self.waiting = 0
        self._free = asyncio.Semaphore(limit)

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Hold one slot for the block; the wait for it is bounded by the caller's own timeout."""
        if self._free.locked():
            if self.waiting >= self.queued:
                raise Busy(f"{self.limit} requests in flight and {self.waiting} waiting (maxConcurrent {self.limit})")
            self.waiting += 1
            try:
                await self._free.acquire()
            finally:
                self.waiting -= 1
        else:
            await self._free.acquire()
        try:
            yield
        finally:
            self._free.release()


class ReplyMeter:
    """Counts reply bytes as they arrive and stops the read at ``limit``, so memory stays bounded.

    ``over`` completes "the target sent a reply ..." when the limit is passed. A call's meter may feed a
    ``parent`` (a batch's shared meter): whichever limit is hit first stops the read.
    """

    def __init__(self, limit: int, over: str, parent: ReplyMeter | None = None) -> None:
        self.limit = limit
        self.over = over
        self.parent = parent
        self.used = 0

    def add(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise ReplyTooLarge(self.over)
        if self.parent is not None:
            self.parent.add(size)
