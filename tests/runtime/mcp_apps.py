"""ASGI apps for runtime tests: a paginating low-level MCP server and a SigV4-verifying gateway stand-in."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable

from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from support.asgi import read_body, replaying

from nxaws.sigv4 import SigV4Error, verify_sigv4


def paging_app(pages: list[list[str]]) -> Starlette:
    """An MCP server listing ``pages`` of tools one page per ``tools/list`` (cursor = page index)."""
    server: Server = Server("pager")

    @server.list_tools()
    async def list_tools(request: types.ListToolsRequest) -> types.ListToolsResult:
        index = int(request.params.cursor) if request.params and request.params.cursor else 0
        tools = [types.Tool(name=name, inputSchema={"type": "object"}) for name in pages[index]]
        next_cursor = str(index + 1) if index + 1 < len(pages) else None
        return types.ListToolsResult(tools=tools, nextCursor=next_cursor)

    manager = StreamableHTTPSessionManager(server, stateless=True, json_response=True)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        await manager.handle_request(scope, receive, send)

    return Starlette(routes=[Route("/mcp", endpoint=_ASGIEndpoint(handle))], lifespan=lifespan)


class _ASGIEndpoint:
    """Starlette treats a non-function endpoint as a raw ASGI app (no ``/mcp`` → ``/mcp/`` redirect)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class SigV4Gate:
    """Pure ASGI middleware: buffer the body, verify SigV4 with ``nxaws.sigv4``, replay it or answer 403."""

    def __init__(self, app: ASGIApp, secret_for: Callable[[str], str | None], region: str) -> None:
        self.app, self.secret_for, self.region = app, secret_for, region
        self.verified: list[str] = []  # access keys of accepted requests
        self.signed_headers: list[tuple[str, ...]] = []
        self.denied_methods: set[str] = set()  # JSON-RPC methods answered 403 after verification

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        body = await read_body(receive)
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        host = dict(headers).get("host", "")
        query = scope["query_string"].decode("latin-1")
        url = f"{scope['scheme']}://{host}{scope.get('raw_path', b'').decode('latin-1') or scope['path']}"
        url += f"?{query}" if query else ""
        try:
            verified = verify_sigv4(
                method=scope["method"],
                url=url,
                headers=_MultiHeaders(headers),
                body=body,
                secret_for=self.secret_for,
                region=self.region,
            )
        except SigV4Error as error:
            return await _respond(send, 403, str(error).encode())
        self.verified.append(verified.access_key)
        self.signed_headers.append(verified.signed_headers)
        if _jsonrpc_method(body) in self.denied_methods:  # stands in for a Cedar policy denial
            return await _respond(send, 403, b"denied by policy")

        await self.app(scope, replaying(body, receive), send)


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


def _jsonrpc_method(body: bytes) -> str | None:
    try:
        message = json.loads(body)
    except ValueError:
        return None
    return message.get("method") if isinstance(message, dict) else None


class _MultiHeaders(dict):
    """A Mapping whose ``items()`` yields repeated headers, as received."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__(pairs)
        self._pairs = pairs

    def items(self):  # type: ignore[override]
        return list(self._pairs)
