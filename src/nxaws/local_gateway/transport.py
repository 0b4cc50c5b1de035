"""A lean HTTP/1.1 keep-alive transport for ``httpx.AsyncClient``, used for plain-HTTP targets.

Measured on the 2-vCPU dev box (bench/local_gateway.py and a client micro-benchmark): httpx's default
transport (httpcore + anyio + h11) costs ~0.75 ms of CPU per request, a bare asyncio stream ~0.1 ms,
which is the difference between a gateway that adds ~2 ms per call and one that adds well under 1.
This transport keeps httpx's client API and exceptions (the upstream code does not know it is there)
and does only what MCP over streamable HTTP needs: one write per request, Content-Length, chunked and
read-until-close bodies, pooled connections that a restarted target may have closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

_MAX_HEAD = 64 * 1024
_NO_BODY_STATUS = {204, 304}


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        self.writer.close()


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """Pooled HTTP/1.1 connections to ``http://`` origins; anything else goes to httpx's own transport."""

    def __init__(self, max_idle: int = 64) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._max_idle = max_idle
        self._fallback = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "http":
            return await self._fallback.handle_async_request(request)
        origin = (request.url.host, request.url.port or 80)
        payload = _serialize(request, await request.aread())
        idle = self._idle.get(origin)
        while idle:  # a pooled connection may have been closed by the target (restart, idle timeout)
            connection = idle.pop()
            if connection.reader.at_eof() or connection.writer.is_closing():
                connection.close()
                continue
            try:
                return await self._exchange(origin, connection, payload, request)
            except _StaleConnection:
                connection.close()
        return await self._exchange(origin, await self._connect(origin, request), payload, request, fresh=True)

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        await self._fallback.aclose()

    async def _connect(self, origin: tuple[str, int], request: httpx.Request) -> _Connection:
        timeout = request.extensions.get("timeout", {}).get("connect")
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(*origin, limit=_MAX_HEAD), timeout)
        except TimeoutError:
            raise httpx.ConnectTimeout(f"connecting to {origin[0]}:{origin[1]} timed out", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from None
        return _Connection(reader, writer)

    async def _exchange(
        self,
        origin: tuple[str, int],
        connection: _Connection,
        payload: bytes,
        request: httpx.Request,
        fresh: bool = False,
    ) -> httpx.Response:
        try:
            connection.writer.write(payload)
            head = await connection.reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            if not fresh:
                raise _StaleConnection() from None
            connection.close()
            raise httpx.RemoteProtocolError(
                f"no response from the server ({type(exc).__name__})", request=request
            ) from None
        status, headers = _parse_head(head, request)
        stream = _Body(self, origin, connection, headers, request, no_body=status in _NO_BODY_STATUS)
        return httpx.Response(status, headers=headers, stream=stream, request=request)

    def _release(self, origin: tuple[str, int], connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) < self._max_idle:
            idle.append(connection)
        else:
            connection.close()


class _StaleConnection(Exception):
    """A pooled connection failed before any response byte: retry on a fresh one."""


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
    """The response body; the connection returns to the pool only once the body was read to its end."""

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
                async for chunk in self._chunks(reader):
                    yield chunk
            elif self._length is not None:
                if self._length:
                    yield await reader.readexactly(self._length)
            else:  # no framing: the body ends when the server closes the connection
                self._reusable = False
                while chunk := await reader.read(65536):
                    yield chunk
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self._reusable = False
            raise httpx.ReadError(f"response body cut short ({type(exc).__name__})", request=self._request) from None
        self._done = True

    async def _chunks(self, reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
                    pass
                return
            chunk = await reader.readexactly(size + 2)
            yield chunk[:-2]

    async def aclose(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        if self._done and self._reusable:
            self._transport._release(self._origin, connection)
        else:
            connection.close()
