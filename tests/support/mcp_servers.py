"""Small real MCP servers (official ``mcp`` SDK, streamable HTTP) run in-process on 127.0.0.1 threads."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn
from mcp.server.fastmcp import Context, FastMCP

from .procs import free_port, wait_for_port

SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id"


def math_server(name: str = "math", calls: list | None = None, *, json_response: bool = True) -> FastMCP:
    """``add`` and ``whoami``; every call is recorded as ``(tool, args, session id)`` in ``calls``.

    ``json_response=False`` answers in SSE, FastMCP's default.
    """
    server = FastMCP(name, stateless_http=True, json_response=json_response)
    log = calls if calls is not None else []

    @server.tool()
    def add(a: int, b: int, ctx: Context) -> int:
        """Add two numbers."""
        log.append(("add", (a, b), ctx.request_context.request.headers.get(SESSION_HEADER)))
        return a + b

    @server.tool()
    def whoami(ctx: Context) -> str:
        """The session id this call arrived with."""
        return ctx.request_context.request.headers.get(SESSION_HEADER) or ""

    return server


class ServerThread:
    """A uvicorn server in a daemon thread; ``stop()`` shuts it down cleanly."""

    def __init__(self, app, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        time.sleep(0.05)


@contextlib.contextmanager
def serving(server: FastMCP, port: int | None = None) -> Iterator[ServerThread]:
    """Serve a FastMCP server's streamable-HTTP app at ``/mcp`` for the duration of the block."""
    thread = ServerThread(server.streamable_http_app(), port).start()
    try:
        yield thread
    finally:
        thread.stop()
