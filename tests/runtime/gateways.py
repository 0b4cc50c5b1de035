"""What an agent's gateway client can meet on 127.0.0.1: a gateway-shaped MCP server, a slow one, a hung one.

The tools are named as a gateway names them (``tools___add``), so the scripted model of ``nxaws local-bedrock``
picks them as it would behind a real gateway.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import anyio
from mcp.server.fastmcp import Context, FastMCP
from starlette.types import ASGIApp, Receive, Scope, Send
from support.asgi import read_body, replaying
from support.mcp_servers import SESSION_HEADER, ServerThread


class GatewayTools:
    """``tools___add`` and ``tools___whoami``; calls are recorded, and ``hold`` (when set) keeps ``add`` waiting."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, str | None]] = []
        self.hold: threading.Event | None = None
        self.add_started = threading.Event()

    def server(self) -> FastMCP:
        server = FastMCP("gateway", stateless_http=True, json_response=True)

        @server.tool(name="tools___add")
        async def add(a: int, b: int, ctx: Context) -> int:
            """Add two numbers."""
            self.calls.append(("add", (a, b), ctx.request_context.request.headers.get(SESSION_HEADER)))
            self.add_started.set()
            if self.hold is not None:
                await anyio.to_thread.run_sync(self.hold.wait, 30)
            return a + b

        @server.tool(name="tools___whoami")
        def whoami(ctx: Context) -> str:
            """The session id this call arrived with."""
            return ctx.request_context.request.headers.get(SESSION_HEADER) or ""

        return server


class SlowInitialize:
    """Pure ASGI: hold the first ``initialize`` for ``delay`` seconds (``pending`` is set meanwhile).

    Only the first: that is the one building an agent waits on (a LangChain tool call opens a session of its own).
    """

    def __init__(self, app: ASGIApp, delay: float) -> None:
        self.app, self.delay = app, delay
        self.pending = threading.Event()
        self.initializes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        body = await read_body(receive)
        with contextlib.suppress(ValueError, AttributeError):
            if json.loads(body).get("method") == "initialize":
                self.initializes += 1
                if self.initializes == 1:
                    self.pending.set()
                    await anyio.sleep(self.delay)
                    self.pending.clear()
        await self.app(scope, replaying(body, receive), send)


@contextlib.contextmanager
def serving_gateway(port: int, tools: GatewayTools | None = None, *, slow_initialize: float = 0) -> Iterator:
    """A gateway-shaped MCP server on ``port`` (``tools`` records its calls); yields the ASGI app in front."""
    app = (tools or GatewayTools()).server().streamable_http_app()
    front = SlowInitialize(app, slow_initialize) if slow_initialize else app
    thread = ServerThread(front, port).start()
    try:
        yield front
    finally:
        thread.stop()


@contextlib.contextmanager
def hung_gateway(port: int) -> Iterator[None]:
    """Something that accepts connections on ``port`` (the kernel does) and never answers."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    try:
        yield
    finally:
        listener.close()
