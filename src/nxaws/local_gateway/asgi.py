"""The HTTP face of the gateway: raw ASGI, because this is the hot path every agent call goes through.

Streamable HTTP with JSON responses only: ``POST /mcp`` answers with one JSON body (or 202 for
notifications). The gateway keeps no client sessions, so ``GET`` (server-initiated stream) and
``DELETE`` (end a session) get 405, which MCP clients accept.

Every request gets a JSON body: malformed input a JSON-RPC error with a 4xx (or 200, as JSON-RPC says
for errors inside a valid request), never a 5xx; only a bug of ours is a 500, and still JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from .config import GatewayConfig
from .context import RequestContext
from .gateway import INTERNAL_ERROR, INVALID_REQUEST, PARSE_ERROR, Gateway, error_message
from .policies import PRINCIPAL_HEADER, Caller, Policies
from .security import IamAuth, LocalOnly, Rejected
from .upstream import SESSION_HEADER, TransportFactory

log = logging.getLogger("nxaws.local_gateway")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
_SINGLE_HEADERS = ("host", "origin", SESSION_HEADER, PRINCIPAL_HEADER)  # a second copy would be ambiguous


class GatewayApp:
    """ASGI app serving a ``Gateway`` at ``/mcp``; ``auth`` turns on SigV4 verification (IAM mode).

    Who calls is settled here, once per HTTP request: the verified key's principal in IAM mode, else the
    ``X-Nxaws-Principal`` header's or the default (``policies.Callers``).
    """

    def __init__(self, gateway: Gateway, *, auth: IamAuth | None = None, allowed_hosts: Iterable[str] = ()) -> None:
        self.gateway = gateway
        self.auth = auth
        self.local_only = LocalOnly(allowed_hosts)
        self.max_body = gateway.config.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def aclose(self) -> None:
        """Close every upstream session (also done on ASGI lifespan shutdown)."""
        await self.gateway.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        watching: asyncio.Task[None] | None = None
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                if self.gateway.policies.active:
                    watching = asyncio.get_running_loop().create_task(self.gateway.policies.watch())
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                if watching is not None:
                    watching.cancel()
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            status, answer, label = await self._answer(scope, receive)
            body = _encode(answer)
        except Rejected as exc:
            status, body, label = exc.status, _encode(error_message(None, INVALID_REQUEST, exc.reason)), "rejected"
        except Exception:  # a bug of ours costs this request a 500, never the gateway
            log.exception("%s: internal error", self.gateway.config.name)
            status, body, label = 500, _encode(error_message(None, INTERNAL_ERROR, "Internal error")), "error"
        await _respond(send, status, body)
        if log.isEnabledFor(logging.DEBUG):
            ms = (time.perf_counter() - started) * 1000
            log.debug("%s %s %s -> %d in %.1f ms", scope["method"], scope["path"], label, status, ms)

    async def _answer(self, scope: Scope, receive: Receive) -> tuple[int, Any, str]:
        headers = _headers(scope["headers"])
        self.local_only.check(headers)
        if scope["path"].rstrip("/") != "/mcp":
            raise Rejected(404, f"Not found: the MCP endpoint is /mcp, not {scope['path']}")
        if scope["method"] != "POST":
            raise Rejected(405, f"Method not allowed: {scope['method']} (this gateway answers POST /mcp)")
        body = await self._read_body(receive)
        principal, claims = self._caller(scope, headers, body)
        scope["nxaws.principal"] = principal.uid  # for ASGI middleware around us (logging, tests)
        try:
            message = json.loads(body)
        except (ValueError, RecursionError) as exc:
            why = "nested too deeply" if isinstance(exc, RecursionError) else "not JSON"
            return 400, error_message(None, PARSE_ERROR, f"Parse error: the body is {why}"), "parse-error"
        ctx = RequestContext(session_id=_session_id(headers), principal=principal, claims=claims)
        if isinstance(message, list):
            return await self._batch(message, ctx)
        answer = await self.gateway.handle(message, ctx)
        label = _label(message)
        if answer is None:
            return 202, None, label
        return (400 if answer.get("id") is None and "error" in answer else 200), answer, label

    def _caller(self, scope: Scope, headers: dict[str, str], body: bytes) -> Caller:
        callers = self.gateway.policies.callers
        if self.auth is None:
            return callers.of_header(headers.get(PRINCIPAL_HEADER))
        key = self.auth.verify(method="POST", url=_signed_url(scope, headers), headers=headers, body=body)
        return callers.of_key(key)

    async def _batch(self, messages: list[Any], ctx: RequestContext) -> tuple[int, Any, str]:
        label = f"batch of {len(messages)}"
        limit = self.gateway.config.max_batch
        if not messages or len(messages) > limit:
            why = "empty batch" if not messages else f"a batch of {len(messages)} messages is over the limit of {limit}"
            return 400, error_message(None, INVALID_REQUEST, f"Invalid Request: {why} (--max-batch)"), label
        answers = await self.gateway.handle_batch(messages, ctx)
        return (200 if answers else 202), (answers or None), label

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                raise Rejected(400, "Client disconnected")
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise Rejected(413, f"Request body larger than {self.max_body} bytes (--max-body-bytes)")
            chunks.append(chunk)
            if not event.get("more_body", False):
                return b"".join(chunks)


def create_app(
    config: GatewayConfig,
    *,
    auth: IamAuth | None = None,
    allowed_hosts: Iterable[str] = (),
    transport: TransportFactory | None = None,
    policies: Policies | None = None,
) -> GatewayApp:
    """The gateway as an ASGI app (tests serve it with uvicorn in a thread; the CLI in the foreground)."""
    gateway = Gateway(config, transport=transport, policies=policies)
    return GatewayApp(gateway, auth=auth, allowed_hosts=allowed_hosts)


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1")
        if name in headers and name in _SINGLE_HEADERS:
            raise Rejected(400, f"Bad Request: more than one {name} header")
        headers[name] = value.decode("latin-1")
    return headers


def _session_id(headers: dict[str, str]) -> str | None:
    """The caller's AgentCore session id; they are printable ASCII, and anything else must not reach a target."""
    value = headers.get(SESSION_HEADER)
    if value is not None and not (value.isascii() and value.isprintable()):
        raise Rejected(400, "Invalid X-Amzn-Bedrock-AgentCore-Runtime-Session-Id header: session ids are ASCII")
    return value or None


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


def _encode(answer: Any) -> bytes:
    """The answer as UTF-8 JSON; strings that are not valid Unicode (lone surrogates) go out as escapes."""
    if answer is None:
        return b""
    try:
        return json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(answer, separators=(",", ":")).encode()
    except RecursionError:  # a target's result nested deeper than we can write
        msg_id = answer.get("id") if isinstance(answer, dict) else None
        return _encode(error_message(msg_id, INTERNAL_ERROR, "Internal error: the answer is nested too deeply"))


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    if status == 405:
        headers.append((b"allow", b"POST"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
