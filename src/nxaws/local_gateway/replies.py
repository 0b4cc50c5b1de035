"""Reading a target's answer, JSON or SSE, through a ``ReplyMeter``: bounded memory, connection kept reusable.

Bodies are consumed to their end: a connection goes back to the pool only when its response was read
completely, and most MCP servers (FastMCP's default) answer in SSE, so stopping at the answer would cost a
new TCP connection per call. (The upstream reads an SSE stream's tail with ``drain`` after answering.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from .limits import ReplyMeter, ReplyTooLarge

SSE_DRAIN_SECONDS = 0.5  # after the answer, how long an SSE stream may take to end before its connection is dropped


async def read_body(response: httpx.Response, meter: ReplyMeter) -> bytearray:
    """The whole body, stopping with ``ReplyTooLarge`` as soon as it passes the meter's limit."""
    body = bytearray()
    async for chunk in response.aiter_bytes():
        meter.add(len(chunk))
        body += chunk
    return body


async def read_sse(response: httpx.Response, meter: ReplyMeter) -> AsyncIterator[bytes]:
    """Each event's ``data`` (lines joined by newlines), metered; the caller stops when it has its answer."""
    buffer = bytearray()
    data: list[bytes] = []
    async for chunk in response.aiter_bytes():
        meter.add(len(chunk))
        buffer += chunk
        end = buffer.rfind(b"\n") if b"\n" in chunk else -1
        if end < 0:
            continue  # no line is complete yet: a long data line only grows the buffer, never copies it
        complete = bytes(buffer[:end])
        del buffer[: end + 1]
        for raw in complete.split(b"\n"):
            line = raw.removesuffix(b"\r")
            if line.startswith(b"data:"):
                data.append(line[5:].removeprefix(b" "))
            elif not line and data:
                yield b"\n".join(data)
                data.clear()


async def drain(events: AsyncIterator[bytes]) -> None:
    """Read what is left of an SSE stream (normally just its end), briefly, so the connection can be reused.

    The answer is already in hand: a tail that is slow, broken or too long only costs the connection.
    """
    with contextlib.suppress(TimeoutError, httpx.HTTPError, ReplyTooLarge):
        async with asyncio.timeout(SSE_DRAIN_SECONDS):
            async for _ in events:
                pass
