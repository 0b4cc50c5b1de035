"""Serve the gateway with uvicorn in the foreground until SIGINT/SIGTERM, then drain and exit 0.

(An earlier version wrote each response's head and body in one ``send()`` through a uvicorn protocol
subclass; measured against uvicorn's own h11 protocol it saved nothing, so it went: BENCHMARKS.md.)
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Iterator

import uvicorn

from .asgi import GatewayApp
from .config import GatewayConfig


class GatewayServer(uvicorn.Server):
    """uvicorn, with a shutdown that answers every caller and counts as success.

    On SIGTERM/SIGINT requests still running get ``shutdown_grace`` seconds, then a JSON-RPC error (the
    drain cuts them short before uvicorn's own deadline, which would answer a text/plain 500), and the
    process exits 0 instead of re-raising the signal (which made SIGTERM exit 143).
    """

    def __init__(self, config: uvicorn.Config, app: GatewayApp, grace: float) -> None:
        super().__init__(config)
        self._app, self._grace = app, grace

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._app.gateway.drain.begin(self._grace)
        await super().shutdown(sockets)


async def serve(app: GatewayApp, config: GatewayConfig, host: str, port: int, log_level: str) -> int:
    """Run until SIGINT/SIGTERM, then drain and close upstream sessions (lifespan shutdown); the exit code."""
    server = GatewayServer(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            http="h11",
            lifespan="on",
            access_log=False,  # we log one line per request ourselves, at debug level
            log_level="debug" if log_level == "debug" else "warning",
            timeout_graceful_shutdown=config.shutdown_grace + 2,  # room to write the drain's answers
        ),
        app,
        config.shutdown_grace,
    )
    serving = asyncio.create_task(server.serve())
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    if server.started:
        shown = f"[{host}]" if ":" in host else host
        targets = ", ".join(t.name for t in config.targets) or "none"
        policies = app.gateway.policies.gate.summary()
        print(f"{config.name}: local gateway listening on http://{shown}:{port}/mcp (targets: {targets}); {policies}",
              flush=True)  # fmt: skip
    try:
        await serving
    except SystemExit as exc:  # uvicorn exits this way when it cannot bind
        return int(exc.code or 1)
    return 0 if server.started else 1
