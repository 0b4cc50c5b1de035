"""The HTTP face of the gateway: raw ASGI, because this is the hot path every agent call goes through.

Streamable HTTP with JSON responses only: ``POST /mcp`` answers with one JSON body (or 202 for
notifications). The gateway keeps no client sessions, so ``GET`` (server-initiated stream) and
``DELETE`` (end a session) get 405, which MCP clients accept.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from .config import GatewayConfig
from .gateway import INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, Gateway, error_message
from .security import IamAuth, LocalOnly, Rejected
from .upstream import SESSION_HEADER

log = logging.getLogger("nxaws.local_gateway")

MAX_BODY = 4 * 1024 * 1024
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class GatewayApp:
    """ASGI app serving a ``Gateway`` at ``/mcp``; ``auth`` turns on SigV4 verification (IAM mode)."""

    def __init__(self, gateway: Gateway, *, auth: IamAuth | None = None, allowed_hosts: Iterable[str] = ()) -> None:
        self.gateway = gateway
        self.auth = auth
        self.local_only = LocalOnly(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def aclose(self) -> None:
        """Close every upstream session (also done on ASGI lifespan shutdown)."""
        await self.gateway.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            status, answer, label = await self._answer(scope, receive, headers)
        except Rejected as exc:
            status, answer, label = exc.status, error_message(None, INVALID_REQUEST, exc.reason), "rejected"
        except Exception:  # a bug of ours costs this request a 500, never the gateway
            log.exception("%s: internal error", self.gateway.config.name)
            status, answer, label = 500, error_message(None, INTERNAL_ERROR, "Internal error"), "error"
        await _respond(send, status, answer)
        if log.isEnabledFor(logging.DEBUG):
            ms = (time.perf_counter() - started) * 1000
            log.debug("%s %s %s -> %d in %.1f ms", scope["method"], scope["path"], label, status, ms)

    async def _answer(self, scope: Scope, receive: Receive, headers: dict[str, str]) -> tuple[int, Any, str]:
        self.local_only.check(headers)
        if scope["path"].rstrip("/") != "/mcp":
            raise Rejected(404, f"Not found: the MCP endpoint is /mcp, not {scope['path']}")
        if scope["method"] != "POST":
            raise Rejected(405, f"Method not allowed: {scope['method']} (this gateway answers POST /mcp)")
        body = await _read_body(receive)
        if self.auth is not None:
            scope["nxaws.principal"] = self.auth.verify(
                method="POST", url=_signed_url(scope, headers), headers=headers, body=body
            )
        try:
            message = json.loads(body)
        except ValueError:
            return 400, error_message(None, PARSE_ERROR, "Parse error: the body is not JSON"), "parse-error"
        session_id = headers.get(SESSION_HEADER)
        if isinstance(message, list):
            if not message:
                return 400, error_message(None, INVALID_REQUEST, "Invalid Request: empty batch"), "batch"
            answers = await self.gateway.handle_batch(message, session_id)
            return (200 if answers else 202), (answers or None), f"batch of {len(message)}"
        answer = await self.gateway.handle(message, session_id)
        label = _label(message)
        if answer is None:
            return 202, None, label
        return (400 if answer.get("id") is None and "error" in answer else 200), answer, label


def create_app(config: GatewayConfig, *, auth: IamAuth | None = None, allowed_hosts: Iterable[str] = ()) -> GatewayApp:
    """The gateway as an ASGI app (tests serve it with uvicorn in a thread; the CLI in the foreground)."""
    return GatewayApp(Gateway(config), auth=auth, allowed_hosts=allowed_hosts)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        event = await receive()
        if event["type"] == "http.disconnect":
            raise Rejected(400, "Client disconnected")
        chunk = event.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise Rejected(413, f"Request body larger than {MAX_BODY} bytes")
        chunks.append(chunk)
        if not event.get("more_body", False):
            return b"".join(chunks)


def _signed_url(scope: Scope, headers: dict[str, str]) -> str:
    """What a SigV4 signer signed: received scheme and Host, raw path and raw query (not our bind address)."""
    path = scope.get("raw_path") or scope["path"].encode()
    query = scope.get("query_string") or b""
    url = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}{path.decode('latin-1')}"
    return f"{url}?{query.decode('latin-1')}" if query else url


def _label(message: Any) -> str:
    if not isinstance(message, dict):
        return "invalid"
    method = str(message.get("method", "response"))
    if method == "tools/call" and isinstance(message.get("params"), dict):
        return f"{method} {message['params'].get('name')}"
    return method


async def _respond(send: Send, status: int, answer: Any) -> None:
    body = b"" if answer is None else json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()
    headers = [(b"content-length", str(len(body)).encode())]
    if answer is not None:
        headers.append((b"content-type", b"application/json"))
    if status == 405:
        headers.append((b"allow", b"POST"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
