"""MCP transport factories (mcp 1.x streamable HTTP) for gateway connections.

A transport factory is a zero-argument callable returning the async context manager Strands' ``MCPClient``
and the MCP ``ClientSession`` expect: ``(read_stream, write_stream, get_session_id)``.

Every gateway request has a connect timeout (``AGENTCORE_GATEWAY_CONNECT_TIMEOUT``, default 10 s) and a timeout
for its answer (``AGENTCORE_GATEWAY_TIMEOUT``, default 60 s); ``create(timeout=..., connect_timeout=...)``
overrides both. Proxies from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``) apply.
"""

import json
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from botocore.credentials import Credentials
from mcp.client.streamable_http import streamable_http_client

from .agentcore_endpoints import check_gateway_url
from .auth import plain_auth, sigv4_auth
from .auth.sigv4 import default_credentials

TransportFactory = Callable[[], AbstractAsyncContextManager[tuple[Any, Any, Callable[[], str | None]]]]

TIMEOUT_ENV = "AGENTCORE_GATEWAY_TIMEOUT"
CONNECT_TIMEOUT_ENV = "AGENTCORE_GATEWAY_CONNECT_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 10.0
SSE_STREAM_TIMEOUT = 300.0  # the optional server-to-client stream may rightly stay quiet for long

_HINTS = {
    401: "the request was not signed or its credentials are invalid.",
    403: "the caller's IAM identity lacks bedrock-agentcore:InvokeGateway on this gateway, "
    "or a Cedar policy of the gateway denied the call.",
    404: "no gateway at this URL; check the gateway URL in the runtime configuration (it ends in /mcp).",
}


class GatewayError(RuntimeError):
    """A gateway could not be reached, did not answer in time, or refused a request; the message says which."""

    def __init__(self, url: str, problem: str, hint: str) -> None:
        self.url = url
        super().__init__(f"Gateway {url} {problem}: {hint}")


class GatewayHTTPError(GatewayError):
    """The gateway answered an MCP request with a non-2xx status."""

    def __init__(self, status_code: int, url: str, detail: str = "") -> None:
        self.status_code = status_code
        hint = _HINTS.get(status_code, "the gateway rejected the request.") + (f" ({detail})" if detail else "")
        super().__init__(url, f"answered HTTP {status_code}", hint)


@dataclass(frozen=True)
class GatewayOptions:
    """Extra headers and timeouts (seconds) for a gateway's requests; unset timeouts come from the environment."""

    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None
    connect_timeout: float | None = None

    def http_timeout(self) -> httpx.Timeout:
        answer = self.timeout if self.timeout is not None else _seconds(TIMEOUT_ENV, DEFAULT_TIMEOUT)
        connect = self.connect_timeout
        return httpx.Timeout(
            answer, connect=connect if connect is not None else _seconds(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT)
        )


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    try:
        seconds = float(value) if value else default
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise ValueError(f"{name}={value!r} is not a number of seconds greater than 0.")
    return seconds


class _GatewayClient(httpx.AsyncClient):
    """Turn a gateway's refusal, silence or absence on an MCP POST into an error naming it, with a hint.

    Left alone, the MCP SDK reports a 404 as "session terminated" and other statuses, timeouts and refused
    connections as bare errors that tear the whole session down inside a task group. A failed handshake
    (``initialize``) or notification raises ``GatewayError``; a failed request (e.g. a Cedar denial of one
    tools/call) becomes that request's JSON-RPC error, so the caller sees the reason and the session stays
    usable. Nothing is ever resent. The transport is httpx's own, so environment proxies still apply.
    """

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        if request.method != "POST":
            if request.method == "GET":
                request.extensions["timeout"] = httpx.Timeout(
                    SSE_STREAM_TIMEOUT, connect=self.timeout.connect
                ).as_dict()
            return await super().send(request, **kwargs)
        try:
            response = await super().send(request, **kwargs)
        except httpx.TimeoutException as exc:
            error = _timeout_error(request, exc, self.timeout)
        except httpx.TransportError as exc:
            error = GatewayError(
                str(request.url), "could not be reached", f"{type(exc).__name__}: {exc or 'no detail'}"
            )
        else:
            if response.is_success or response.is_redirect:
                return response
            detail = (await response.aread())[:200].decode(errors="replace").strip()
            await response.aclose()
            error = GatewayHTTPError(response.status_code, str(request.url), detail)
        return _as_jsonrpc_error(request, error)


def _timeout_error(request: httpx.Request, exc: httpx.TimeoutException, timeout: httpx.Timeout) -> GatewayError:
    url = str(request.url)
    if isinstance(exc, httpx.ConnectTimeout):
        return GatewayError(url, f"did not accept a connection within {timeout.connect:g} s", _TIMEOUT_HINT)
    hint = _TIMEOUT_HINT
    if _jsonrpc_method(request) == "tools/call":
        hint += " The tool may have run: its outcome is unknown, so the call was not repeated."
    return GatewayError(url, f"did not answer within {timeout.read:g} s", hint)


_TIMEOUT_HINT = f"raise the limit with create(timeout=...) or {TIMEOUT_ENV} / {CONNECT_TIMEOUT_ENV} (seconds)."


def _jsonrpc_method(request: httpx.Request) -> str | None:
    message = _jsonrpc_message(request)
    return message.get("method") if message else None


def _jsonrpc_message(request: httpx.Request) -> dict[str, Any] | None:
    try:
        message = json.loads(request.content)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def _as_jsonrpc_error(request: httpx.Request, error: GatewayError) -> httpx.Response:
    message = _jsonrpc_message(request)
    if message is None or "id" not in message or message.get("method") == "initialize":
        raise error
    body = {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32001, "message": str(error)}}
    return httpx.Response(200, json=body, request=request)


def gateway_http_client(
    headers: dict[str, str] | None = None, timeout: httpx.Timeout | None = None, auth: httpx.Auth | None = None
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for gateway MCP calls (matches the MCP SDK's ``McpHttpClientFactory``)."""
    return _GatewayClient(headers=headers, timeout=timeout or GatewayOptions().http_timeout(), auth=auth)


def gateway_error_in(group: BaseExceptionGroup) -> GatewayError | None:
    """The ``GatewayError`` inside an MCP SDK task-group failure, if any."""
    matched, _ = group.split(GatewayError)
    while isinstance(matched, BaseExceptionGroup):
        matched = matched.exceptions[0]
    return matched


@contextmanager
def unwrapped_gateway_errors() -> Iterator[None]:
    """Let a ``GatewayError`` out of the MCP SDK's task groups as itself: one readable exception."""
    try:
        yield
    except BaseExceptionGroup as group:
        error = gateway_error_in(group)
        if error is None:
            raise
        raise error from None


def mcp_transport(url: str, auth: httpx.Auth, options: GatewayOptions | None = None) -> TransportFactory:
    """A transport factory for ``url`` whose requests go through ``auth``."""
    check_gateway_url(url)
    options = options or GatewayOptions()
    timeout = options.http_timeout()

    @asynccontextmanager
    async def connect() -> AsyncIterator[tuple[Any, Any, Callable[[], str | None]]]:
        with unwrapped_gateway_errors():
            async with (
                gateway_http_client(headers=dict(options.headers), timeout=timeout, auth=auth) as client,
                streamable_http_client(url, http_client=client, terminate_on_close=False) as streams,
            ):
                yield streams

    return connect


def sigv4_transport(
    url: str, region: str, credentials: Credentials | None = None, options: GatewayOptions | None = None
) -> TransportFactory:
    """SigV4-signed (service ``bedrock-agentcore``) with the session id stamped before signing."""
    return mcp_transport(url, sigv4_auth(credentials or default_credentials(), region), options)


def no_auth_transport(url: str, options: GatewayOptions | None = None) -> TransportFactory:
    """Unsigned, forwarding the session id and the local principal: for the local gateway."""
    return mcp_transport(url, plain_auth(), options)
