"""Shared pieces for local-gateway tests: a second sample server, the gateway in a thread, MCP clients."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client
from mcp.server.fastmcp import Context, FastMCP
from support.mcp_servers import SESSION_HEADER, ServerThread

from nxaws.local_gateway import GatewayConfig, IamAuth, Target, create_app


def text_server(seen: list | None = None, *, stateless: bool = True) -> FastMCP:
    """``upper`` (structured output), ``fail`` (an isError result) and ``headers`` (what reached the server)."""
    server = FastMCP("text", stateless_http=stateless, json_response=stateless)
    log = seen if seen is not None else []

    @server.tool()
    def upper(text: str) -> dict[str, str]:
        """Upper-case a text."""
        return {"upper": text.upper()}

    @server.tool()
    def fail(why: str) -> str:
        """Always fails, so the caller sees isError."""
        raise ValueError(f"refused: {why}")

    @server.tool()
    def headers(ctx: Context) -> str:
        """Record the request headers the server received."""
        received = dict(ctx.request_context.request.headers)
        log.append(received)
        return received.get(SESSION_HEADER, "")

    return server


@contextlib.contextmanager
def gateway(*targets: tuple[str, str], auth: IamAuth | None = None, **options: Any) -> Iterator[ServerThread]:
    """The gateway app served by uvicorn on a free port for the duration of the block."""
    config = GatewayConfig(name="test-gateway", targets=tuple(Target(n, u) for n, u in targets), **options)
    thread = ServerThread(create_app(config, auth=auth)).start()
    try:
        yield thread
    finally:
        thread.stop()


@contextlib.asynccontextmanager
async def mcp_client(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[ClientSession]:
    """The official MCP client (legacy handshake), as agents use it."""
    async with (
        streamablehttp_client(url, headers=headers, timeout=10) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def rpc(url: str, message: Any, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
    """One raw JSON-RPC POST, for what a well-behaved client never sends."""
    base = {"accept": "application/json, text/event-stream"}
    if isinstance(message, bytes):
        return httpx.post(url, content=message, headers={**base, **(headers or {})}, timeout=15, **kwargs)
    return httpx.post(url, json=message, headers={**base, **(headers or {})}, timeout=15, **kwargs)
