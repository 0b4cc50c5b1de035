"""A lean HTTP/1.1 keep-alive transport for ``httpx``, used for plain-HTTP targets (https goes to httpx's own).

Kept because it measured cheaper than httpx's own transport (httpcore + anyio + h11) by more than the
0.5 ms per call the gateway may spend (numbers in BENCHMARKS.md, "Local gateway"). It keeps httpx's
request/response types and exceptions, so the upstream code does not know it is there, and follows
httpcore's rules:

- A request goes to a pooled connection only if that connection is still open and was idle for less than
  ``idle_expiry`` (shorter than uvicorn's 5 s keep-alive, so we drop a connection before the target does
  instead of racing its close). After the first byte is written, a failure is the caller's to see: it is
  never written again, here or on another connection (the request may have reached the target).
- A failure to connect is a ``ConnectError`` whose cause is the ``OSError`` (refused, or out of descriptors).
- A connection returns to the pool only when its response was read to the end; one cut short is closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx

_MAX_HEAD = 64 * 1024
_READ = 64 * 1024  # bytes per body read, so a reply limit stops a large body early
_NO_BODY_STATUS = {204, 304}
IDLE_EXPIRY = 4.0


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = 0.0

    def usable(self, now: float, expiry: float) -> bool:
        """Still open (no FIN or error seen) and not idle for so long that the target may be closing it."""
        reader = self.reader
        return (
            now - self.idle_since < expiry
            and not reader.at_eof()
            and reader.exception() is None
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """Pooled HTTP/1.1 connections to ``http://`` origins; anything else goes to httpx's own transport."""

    def __init__(self, max_idle: int = 64, idle_expiry: float = IDLE_EXPIRY) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._max_idle = max_idle
        self._idle_expiry = idle_expiry
        self._fallback: httpx.AsyncHTTPTransport | None = None  # made on first use: its TLS setup costs ~0.1 s

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "http":
            self._fallback = self._fallback or httpx.AsyncHTTPTransport()
            return await self._fallback.handle_async_request(request)
        origin = (request.url.host, request.url.port or 80)
        payload = _serialize(request, await request.aread())
        connection = self._pooled(origin) or await self._connect(origin, request)
        return await self._exchange(origin, connection, payload, request)

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        if self._fallback is not None:
            await self._fallback.aclose()

    def _pooled(self, origin: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable(now, self._idle_expiry):
                return connection
            connection.close()
        return None

    async def _connect(self, origin: tuple[str, int], request: httpx.Request) -> _Connection:
        timeout = request.extensions.get("timeout", {}).get("connect")
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(*origin, limit=_MAX_HEAD), timeout)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {origin[0]}:{origin[1]} timed out", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        return _Connection(reader, writer)

    async def _exchange(
        self, origin: tuple[str, int], connection: _Connection, payload: bytes, request: httpx.Request
    ) -> httpx.Response:
        try:
            connection.writer.write(payload)
            head = await connection.reader.readuntil(b"\r\n\r\n")
            status, headers = _parse_head(head, request)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            connection.close()
            raise httpx.RemoteProtocolError(
                f"the connection closed before an answer ({type(exc).__name__})", request=request
            ) from None
        except BaseException:  # cancelled (a timeout) or a malformed head: the connection is in an unknown state
            connection.close()
            raise
        stream = _Body(self, origin, connection, headers, request, no_body=status in _NO_BODY_STATUS)
        return httpx.Response(status, headers=headers, stream=stream, request=request)

    def _release(self, origin: tuple[str, int], connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) < self._max_idle:
            connection.idle_since = time.monotonic()
            idle.append(connection)
        else:
            connection.close()


def _serialize(request: httpx.Request, body: bytes) -> bytes:
    target = request.url.raw_path.decode("ascii")
    lines = [f"{request.method} {target} HTTP/1.1".encode()]
    lines += [
        k + b": " + v for k, v in request.headers.raw if k.lower() not in (b"content-length", b"transfer-encoding")
    ]
    lines.append(b"content-length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _parse_head(head: bytes, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]]]:
    status_line, *header_lines = head[:-4].split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise httpx.RemoteProtocolError(f"malformed status line {status_line[:80]!r}", request=request)
    headers = []
    for line in header_lines:
        name, sep, value = line.partition(b":")
        if not sep:
            raise httpx.RemoteProtocolError("malformed response header", request=request)
        headers.append((name.strip(), value.strip()))
    return int(parts[1]), headers


class _Body(httpx.AsyncByteStream):
    """The response body, read in bounded pieces; the connection is pooled again only once it was read to its end."""

    def __init__(
        self,
        transport: KeepAliveTransport,
        origin: tuple[str, int],
        connection: _Connection,
        headers: list[tuple[bytes, bytes]],
        request: httpx.Request,
        no_body: bool,
    ) -> None:
        self._transport, self._origin, self._request = transport, origin, request
        self._connection: _Connection | None = connection
        found = {k.lower(): v.lower() for k, v in headers}
        self._reusable = found.get(b"connection") != b"close"
        self._chunked = b"chunked" in found.get(b"transfer-encoding", b"")
        length = found.get(b"content-length")
        self._length = 0 if no_body else int(length) if length is not None and length.isdigit() else None
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert self._connection is not None, "a response body is read once"
        reader = self._connection.reader
        try:
            if self._chunked:
                async for piece in self._chunks(reader):
                    yield piece
            elif self._length is not None:
                async for piece in _exactly(reader, self._length):
                    yield piece
            else:  # no framing: the body ends when the server closes the connection
                self._reusable = False
                while piece := await reader.read(_READ):
                    yield piece
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise httpx.ReadError(f"response body cut short ({type(exc).__name__})", request=self._request) from None
        self._done = True

    async def _chunks(self, reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
                    pass
                return
            async for piece in _exactly(reader, size):
                yield piece
            if await reader.readexactly(2) != b"\r\n":
                raise ValueError("chunk not followed by CRLF")

    async def aclose(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        if self._done and self._reusable:
            self._transport._release(self._origin, connection)
        else:
            connection.close()


async def _exactly(reader: asyncio.StreamReader, size: int) -> AsyncIterator[bytes]:
    while size > 0:
        piece = await reader.read(min(size, _READ))
        if not piece:
            raise asyncio.IncompleteReadError(b"", size)
        size -= len(piece)
        yield piece
