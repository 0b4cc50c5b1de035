"""MCP transport factories (mcp 1.x streamable HTTP) for gateway connections.

A transport factory is a zero-argument callable returning the async context manager Strands' ``MCPClient``
and the MCP ``ClientSession`` expect: ``(read_stream, write_stream, get_session_id)``.
"""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
from botocore.credentials import Credentials
from mcp.client.streamable_http import streamable_http_client

from .auth import LocalPrincipalAuth, SessionHeaderAuth, SigV4HTTPXAuth
from .auth.sigv4 import default_credentials

TransportFactory = Callable[[], AbstractAsyncContextManager[tuple[Any, Any, Callable[[], str | None]]]]

_HINTS = {
    401: "the request was not signed or its credentials are invalid.",
    403: "the caller's IAM identity lacks bedrock-agentcore:InvokeGateway on this gateway, "
    "or a Cedar policy of the gateway denied the call.",
    404: "no gateway at this URL; check the gateway URL in the runtime configuration (it ends in /mcp).",
}


class GatewayHTTPError(RuntimeError):
    """The gateway answered an MCP request with a non-2xx status."""

    def __init__(self, status_code: int, url: str, detail: str = "") -> None:
        self.status_code = status_code
        hint = _HINTS.get(status_code, "the gateway rejected the request.")
        super().__init__(f"Gateway {url} answered HTTP {status_code}: {hint}" + (f" ({detail})" if detail else ""))


class _GatewayStatusTransport(httpx.AsyncHTTPTransport):
    """Turn a gateway's non-2xx answer to an MCP POST into an error that keeps its status and a hint.

    Left alone, the MCP SDK reports a 404 as "session terminated" and other statuses as a bare
    HTTPStatusError that tears the whole session down inside a task group. A refused handshake
    (``initialize``) raises ``GatewayHTTPError``; a refused call (e.g. a Cedar denial of one tools/call)
    becomes that request's JSON-RPC error, so the caller sees the reason and the session stays usable.
    Redirects (the SDK follows same-origin ones) and GETs (the optional SSE stream) stay the SDK's.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if response.is_success or response.is_redirect or request.method != "POST":
            return response
        detail = (await response.aread())[:200].decode(errors="replace").strip()
        await response.aclose()
        error = GatewayHTTPError(response.status_code, str(request.url), detail)
        try:
            message = json.loads(request.content)
        except ValueError:
            message = None
        if not isinstance(message, dict) or "id" not in message or message.get("method") == "initialize":
            raise error
        body = {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32001, "message": str(error)}}
        return httpx.Response(200, json=body, request=request)


def gateway_http_client(
    headers: dict[str, str] | None = None, timeout: httpx.Timeout | None = None, auth: httpx.Auth | None = None
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for gateway MCP calls (matches the MCP SDK's ``McpHttpClientFactory``)."""
    return httpx.AsyncClient(
        headers=headers, timeout=timeout or httpx.Timeout(120, read=300), auth=auth, transport=_GatewayStatusTransport()
    )


def unwrap_gateway_error(group: BaseExceptionGroup) -> GatewayHTTPError | None:
    """The ``GatewayHTTPError`` inside an MCP SDK task-group failure, if any."""
    matched, _ = group.split(GatewayHTTPError)
    while isinstance(matched, BaseExceptionGroup):
        matched = matched.exceptions[0]
    return matched


def mcp_transport(url: str, auth: httpx.Auth) -> TransportFactory:
    """A transport factory for ``url`` whose requests go through ``auth``."""

    @asynccontextmanager
    async def connect() -> AsyncIterator[tuple[Any, Any, Callable[[], str | None]]]:
        try:
            async with (
                gateway_http_client(auth=auth) as client,
                streamable_http_client(url, http_client=client, terminate_on_close=False) as streams,
            ):
                yield streams
        except BaseExceptionGroup as group:
            error = unwrap_gateway_error(group)
            if error is None:
                raise
            raise error from None

    return connect


def sigv4_transport(url: str, region: str, credentials: Credentials | None = None) -> TransportFactory:
    """SigV4-signed (service ``bedrock-agentcore``) with the session id stamped before signing."""
    signer = SigV4HTTPXAuth(region, credentials=credentials or default_credentials())
    return mcp_transport(url, SessionHeaderAuth(signer))


def no_auth_transport(url: str) -> TransportFactory:
    """Unsigned, forwarding the session id and the local principal: for the local gateway."""
    return mcp_transport(url, LocalPrincipalAuth(SessionHeaderAuth()))
