"""LangChain tools from an AgentCore Gateway, loaded through langchain-mcp-adapters."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from typing import Any, TypeVar

import httpx
from langchain_core.tools import BaseTool, StructuredTool
from langchain_mcp_adapters.client import MultiServerMCPClient

from .agentcore_endpoints import resolve_region
from .agentcore_transport import gateway_http_client, unwrap_gateway_error
from .auth import LocalPrincipalAuth, SessionHeaderAuth, SigV4HTTPXAuth
from .auth.sigv4 import default_credentials

T = TypeVar("T")


class AgentCoreGatewayMCPClientLangChain:
    """Load a gateway's tools as ``list[BaseTool]``; each tool call opens its own MCP session."""

    @staticmethod
    def with_iam_auth(gateway_url: str, region: str | None = None) -> list[BaseTool]:
        """Tools of a deployed gateway, SigV4-signing every call."""
        signer = SigV4HTTPXAuth(region or resolve_region(gateway_url), credentials=default_credentials())
        return _load_tools(gateway_url, SessionHeaderAuth(signer))

    @staticmethod
    def without_auth(gateway_url: str) -> list[BaseTool]:
        """Tools of the local gateway."""
        return _load_tools(gateway_url, LocalPrincipalAuth(SessionHeaderAuth()))


def _load_tools(url: str, auth: httpx.Auth) -> list[BaseTool]:
    connection: Any = {
        "transport": "streamable_http",
        "url": url,
        "auth": auth,
        "timeout": 120,
        "terminate_on_close": False,
        "httpx_client_factory": gateway_http_client,
    }
    client = MultiServerMCPClient({"server": connection})
    try:
        tools = _run_sync(client.get_tools())
    except BaseExceptionGroup as group:
        error = unwrap_gateway_error(group)
        if error is None:
            raise
        raise error from None
    return [_with_sync_call(tool) for tool in tools]


def _with_sync_call(tool: BaseTool) -> BaseTool:
    # The adapters' tools are async-only; a blocking twin lets sync agents (``agent.invoke``) call them too.
    if isinstance(tool, StructuredTool) and tool.func is None and tool.coroutine is not None:
        coroutine = tool.coroutine
        tool.func = lambda *args, **kwargs: _run_sync(coroutine(*args, **kwargs))
    return tool


def _run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    # Agents often build their tools inside a running event loop (FastAPI lifespan, notebooks), where
    # asyncio.run() is refused; run on a fresh loop in a worker thread then, with the caller's context.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(copy_context().run, asyncio.run, coroutine).result()
