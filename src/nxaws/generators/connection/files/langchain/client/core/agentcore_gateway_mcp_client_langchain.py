"""LangChain tools from an AgentCore Gateway, loaded through langchain-mcp-adapters."""

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any, TypeVar

import httpx
from langchain_core.tools import BaseTool, StructuredTool
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.sessions import StreamableHttpConnection

from .agentcore_endpoints import check_gateway_url, resolve_region
from .agentcore_transport import GatewayOptions, gateway_http_client, unwrapped_gateway_errors
from .auth import plain_auth, sigv4_auth
from .auth.sigv4 import default_credentials

T = TypeVar("T")


class AgentCoreGatewayMCPClientLangChain:
    """Load a gateway's tools as ``list[BaseTool]``; each tool call opens its own MCP session.

    A gateway that cannot be reached, does not answer in time or refuses a request raises one ``GatewayError``
    naming it, when the tools are loaded and when one is called.
    """

    @staticmethod
    def with_iam_auth(
        gateway_url: str, region: str | None = None, options: GatewayOptions | None = None
    ) -> list[BaseTool]:
        """Tools of a deployed gateway, SigV4-signing every call."""
        auth = sigv4_auth(default_credentials(), region or resolve_region(gateway_url))
        return _load_tools(gateway_url, auth, options or GatewayOptions())

    @staticmethod
    def without_auth(gateway_url: str, options: GatewayOptions | None = None) -> list[BaseTool]:
        """Tools of the local gateway."""
        return _load_tools(gateway_url, plain_auth(), options or GatewayOptions())


def _load_tools(url: str, auth: httpx.Auth, options: GatewayOptions) -> list[BaseTool]:
    check_gateway_url(url)
    timeout = options.http_timeout()
    connection: StreamableHttpConnection = {
        "transport": "streamable_http",
        "url": url,
        "auth": auth,
        "headers": dict(options.headers),
        "timeout": timeout.connect or 0,  # the adapters' "timeout" is for connecting, writing and pooling
        "sse_read_timeout": timeout.read or 0,  # and this one for each answer
        "terminate_on_close": False,
        "httpx_client_factory": gateway_http_client,
    }
    client = MultiServerMCPClient({"server": connection})
    with unwrapped_gateway_errors():
        tools = _run_sync(client.get_tools())
    return [_with_readable_errors(tool) for tool in tools]


def _with_readable_errors(tool: BaseTool) -> BaseTool:
    # The adapters' tools are async-only and fail inside task groups; give them readable errors and a
    # blocking twin, so sync agents (``agent.invoke``) can call them too.
    if isinstance(tool, StructuredTool) and tool.coroutine is not None:
        tool.coroutine = _unwrapping(tool.coroutine)
        if tool.func is None:
            coroutine = tool.coroutine
            tool.func = lambda *args, **kwargs: _run_sync(coroutine(*args, **kwargs))
    return tool


def _unwrapping(coroutine: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(coroutine)  # LangChain reads the signature for injected arguments
    async def call(*args: Any, **kwargs: Any) -> Any:
        with unwrapped_gateway_errors():
            return await coroutine(*args, **kwargs)

    return call


def _run_sync(awaitable: Awaitable[T]) -> T:
    # Agents often build their tools inside a running event loop (FastAPI lifespan, notebooks), where
    # asyncio.run() is refused; run on a fresh loop in a worker thread then, with the caller's context.
    async def wait() -> T:
        return await awaitable

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(wait())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(copy_context().run, asyncio.run, wait()).result()
