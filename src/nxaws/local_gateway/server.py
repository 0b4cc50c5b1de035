"""Serve the gateway with uvicorn in the foreground, one TCP write per response.

uvicorn's h11 protocol writes a response's headers and its body as two ``send()`` calls. On the
dev VMs we measured, each write that wakes the peer costs ~0.5-0.9 ms, so a gateway (one hop more
than a direct call) pays for every extra write. ``_CoalescingTransport`` gathers the writes made
in one event-loop turn (headers, body) into a single ``send()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .asgi import GatewayApp
from .config import GatewayConfig


class _CoalescingTransport:
    """Buffers ``write()`` until the end of the current loop turn; everything else is the real transport."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol writing through ``_CoalescingTransport``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CoalescingTransport(transport))  # type: ignore[arg-type]


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


async def serve(
    app: GatewayApp, config: GatewayConfig, host: str, port: int, log_level: str, *, http: type = CoalescingH11Protocol
) -> int:
    """Run until SIGINT/SIGTERM, then drain and close upstream sessions (lifespan shutdown); the exit code."""
    server = GatewayServer(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            http=http,
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
        print(f"{config.name}: local gateway listening on http://{shown}:{port}/mcp (targets: {targets})", flush=True)
    try:
        await serving
    except SystemExit as exc:  # uvicorn exits this way when it cannot bind
        return int(exc.code or 1)
    return 0 if server.started else 1
