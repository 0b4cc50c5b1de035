"""The lean keep-alive transport: framing, connection reuse, and connections the server closed."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from nxaws.local_gateway.transport import KeepAliveTransport

from .conftest import serving_app

pytestmark = pytest.mark.timeout(30)


def test_connections_are_reused_and_chunked_bodies_read() -> None:
    clients: list[Any] = []

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        clients.append(scope["client"])
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-n", b"1")]})
        for part in (b"hello ", b"chunked ", b"world"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def go(url: str) -> list[str]:
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as client:
            return [(await client.post(url, content=b"{}")).text for _ in range(3)]

    with serving_app(app) as server:
        texts = anyio.run(go, server.url)
    assert texts == ["hello chunked world"] * 3
    assert len(set(clients)) == 1  # one connection, kept alive


@pytest.fixture
def close_delimited() -> Iterator[int]:
    """A server answering each connection once with an unframed body, then closing it (HTTP/1.0 style)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n" + b'{"ok": true}')

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_unframed_bodies_end_at_close_and_closed_connections_are_replaced(close_delimited: int) -> None:
    async def go() -> list[Any]:
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as client:
            url = f"http://127.0.0.1:{close_delimited}/mcp"
            return [(await client.post(url, content=b"{}")).json() for _ in range(3)]

    assert anyio.run(go) == [{"ok": True}] * 3


def test_connection_refused_is_an_httpx_connect_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def go() -> None:
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as client:
            await client.post(f"http://127.0.0.1:{port}/mcp", content=b"{}")

    with pytest.raises(httpx.ConnectError):
        anyio.run(go)
