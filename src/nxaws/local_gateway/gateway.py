"""The aggregating MCP server: answers the handshake itself, fans ``tools/list`` out, routes ``tools/call``.

Messages are plain JSON-RPC dicts, so results pass through untouched (content, structuredContent, isError,
fields this code has never heard of) and clients of either protocol generation get what they expect.

With policies (``policies.py``) ``tools/list`` shows a caller only the tools it could call, and a denied
``tools/call`` is answered as the deployed gateway answers it (JSON-RPC -32002) without reaching its target.
Prompts and resources are not served, so there is nothing else to filter.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from .. import __version__
from .config import SEPARATOR, GatewayConfig
from .context import RequestContext
from .limits import ReplyMeter
from .policies import Policies, no_policies
from .shutdown import Drain, ShuttingDown
from .upstream import TargetError, TransportFactory, Upstream, UpstreamRpcError

log = logging.getLogger("nxaws.local_gateway")

SUPPORTED_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL_ERROR = (
    -32700,
    -32600,
    -32601,
    -32602,
    -32603,
)
SHUTTING_DOWN = -32000  # JSON-RPC's implementation-defined server error range

Handler = Callable[[dict[str, Any], RequestContext], Awaitable[Any]]


class RpcError(Exception):
    """Answer the request with this JSON-RPC error."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.error: dict[str, Any] = {"code": code, "message": message}
        if data is not None:
            self.error["data"] = data


def error_message(msg_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}


class Gateway:
    """Serves the tools of every target as ``<target>___<tool>`` over long-lived upstream sessions."""

    def __init__(
        self, config: GatewayConfig, *, transport: TransportFactory | None = None, policies: Policies | None = None
    ) -> None:
        self.config = config
        self.policies = policies or no_policies(config.name)
        self.upstreams = [
            Upstream(t, config.limits_for(t), client_name=config.name, transport=transport) for t in config.targets
        ]
        self.drain = Drain()
        # Longest prefix first, so a target named "a" never captures "a___b___tool" meant for target "a___b".
        self._routes = sorted(((u.target.name + SEPARATOR, u) for u in self.upstreams), key=lambda r: -len(r[0]))
        self._pages = ToolPages(config.page_size)
        self._methods: dict[str, Handler] = {
            "initialize": self._initialize,
            "ping": self._ping,
            "tools/list": self._list_tools,
            "tools/call": self._call_tool,
        }

    async def handle(self, message: Any, ctx: RequestContext) -> dict[str, Any] | None:
        """Answer one JSON-RPC message; ``None`` for notifications and client responses (HTTP 202)."""
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            return error_message(None, INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message")
        msg_id = message.get("id")
        method = message.get("method")
        if method is None and ("result" in message or "error" in message):
            return None
        if not _valid_id(msg_id):
            return error_message(None, INVALID_REQUEST, "Invalid Request: id must be a string, an integer or null")
        if not isinstance(method, str):
            return error_message(msg_id, INVALID_REQUEST, "Invalid Request: method must be a string")
        if "id" not in message:
            return None
        handler = self._methods.get(method)
        if handler is None:
            return error_message(msg_id, METHOD_NOT_FOUND, f"Method not found: {method}")
        params = message.get("params", {})
        if not isinstance(params, dict):
            return error_message(msg_id, INVALID_PARAMS, "Invalid params: expected an object")
        try:
            async with self.drain.guard():
                return {"jsonrpc": "2.0", "id": msg_id, "result": await handler(params, ctx)}
        except RpcError as exc:
            return {"jsonrpc": "2.0", "id": msg_id, "error": exc.error}
        except ShuttingDown:
            unknown = " and its outcome is unknown" if method == "tools/call" else ""
            text = f"The gateway is shutting down: {method} was cut short{unknown}"
            return error_message(msg_id, SHUTTING_DOWN, text)
        except RecursionError:
            return error_message(msg_id, INVALID_PARAMS, "Invalid params: nested too deeply")
        except Exception:  # a bug of ours must cost one request, never the gateway
            log.exception("%s: internal error answering %s", self.config.name, method)
            return error_message(msg_id, INTERNAL_ERROR, "Internal error")

    async def handle_batch(self, messages: list[Any], ctx: RequestContext) -> list[dict[str, Any]]:
        """Answer a batch, ``batch_concurrency`` messages at a time, its replies metered together."""
        limit = self.config.max_reply_bytes
        over = f"that takes this batch's replies past {limit} bytes, the limit of --max-reply-bytes for a whole batch"
        shared = ReplyMeter(limit, over)
        ctx = replace(ctx, replies=shared)
        gate = asyncio.Semaphore(self.config.batch_concurrency)

        async def one(message: Any) -> dict[str, Any] | None:
            async with gate:
                return await self.handle(message, ctx)

        answers = await asyncio.gather(*(one(m) for m in messages))
        return [a for a in answers if a is not None]

    async def aclose(self) -> None:
        await asyncio.gather(*(u.aclose() for u in self.upstreams), return_exceptions=True)

    async def _initialize(self, params: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        asked = params.get("protocolVersion")
        return {
            "protocolVersion": asked if asked in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[0],
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": self.config.name, "version": __version__},
        }

    async def _ping(self, params: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        return {}

    async def _list_tools(self, params: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        cursor = params.get("cursor")
        if cursor is None:
            return self._pages.first(self._visible(await self.gather_tools(ctx), ctx), ctx.principal)
        return self._pages.next(cursor, ctx.principal)

    def _visible(self, tools: list[dict[str, Any]], ctx: RequestContext) -> list[dict[str, Any]]:
        if not self.policies.active:
            return tools
        shown = set(self.policies.gate.visible_tools(ctx.principal, [t["name"] for t in tools], ctx.claims or None))
        return [t for t in tools if t["name"] in shown]

    async def gather_tools(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """Every reachable target's tools, renamed; a target that fails (or is marked down) is left out, logged."""
        lists = await asyncio.gather(*(u.list_tools(ctx) for u in self.upstreams), return_exceptions=True)
        tools: list[dict[str, Any]] = []
        for upstream, listed in zip(self.upstreams, lists, strict=True):
            if isinstance(listed, BaseException):
                log.warning(
                    "%s: tools/list leaves out target '%s': %s",
                    self.config.name,
                    upstream.target.name,
                    listed,
                )
                continue
            if self.policies.active:
                self.policies.learn(upstream.target.name, listed)
            prefix = upstream.target.name + SEPARATOR
            named = (t for t in listed if isinstance(t, dict) and isinstance(t.get("name"), str))
            tools.extend({**t, "name": prefix + t["name"]} for t in named)
        return tools

    async def _call_tool(self, params: dict[str, Any], ctx: RequestContext) -> Any:
        name = params.get("name")
        if not isinstance(name, str):
            raise RpcError(INVALID_PARAMS, "Invalid params: tools/call needs a string 'name'")
        route = next(((p, u) for p, u in self._routes if name.startswith(p) and len(name) > len(p)), None)
        if route is None:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {name}")
        prefix, upstream = route
        if self.policies.active:
            await self._check_policies(name, name[len(prefix) :], upstream, params, ctx)
        try:
            return await upstream.call_tool({**params, "name": name[len(prefix) :]}, ctx)
        except TargetError as exc:
            log.warning("%s: %s failed: %s", self.config.name, name, exc)
            return {"content": [{"type": "text", "text": f"{name} failed. {exc}"}], "isError": True}
        except UpstreamRpcError as exc:
            raise RpcError(exc.error.get("code", INTERNAL_ERROR), str(exc), exc.error.get("data")) from None

    async def _check_policies(
        self, name: str, tool: str, upstream: Upstream, params: dict[str, Any], ctx: RequestContext
    ) -> None:
        """Raise the deployed gateway's denial unless the policies allow this call (or only log it)."""
        target = upstream.target.name
        if not self.policies.knows(target):  # called before any listing: learn its input schemas first
            # Failing that, decide without them; the call itself will say what is wrong with the target.
            with contextlib.suppress(TargetError, UpstreamRpcError):
                self.policies.learn(target, await upstream.list_tools(ctx))
        schema = self.policies.input_schema(target, tool)
        arguments = params.get("arguments")
        denied = self.policies.gate.check_call(ctx.principal, name, arguments, ctx.claims or None, schema)
        if denied is not None:
            raise RpcError(**denied.error())


def _valid_id(msg_id: Any) -> bool:
    """A JSON-RPC id we can send back: an integer, null, or a string without lone surrogates."""
    if isinstance(msg_id, str):
        return msg_id.isascii() or _encodable(msg_id)
    return msg_id is None or (isinstance(msg_id, int) and not isinstance(msg_id, bool))


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class ToolPages:
    """Pages of one aggregated tool list, so a client paging through sees a single consistent snapshot.

    A cursor names a snapshot and an offset; the newest snapshots are kept, older cursors are refused
    with -32602 (the client lists again from the start) rather than silently mixing two lists. A snapshot
    is filtered for one caller, so another caller's cursor into it is refused the same way.
    """

    def __init__(self, size: int, keep: int = 64) -> None:
        self.size = max(1, size)
        self._keep = keep
        self._snapshots: OrderedDict[int, tuple[Any, list[dict[str, Any]]]] = OrderedDict()
        self._prefix = secrets.token_hex(4)  # cursors from an earlier gateway run are refused, not misread
        self._next_id = 0

    def first(self, tools: list[dict[str, Any]], owner: Any = None) -> dict[str, Any]:
        """The first page of ``tools``; later pages only for the same ``owner`` (the caller they were filtered for)."""
        if len(tools) <= self.size:
            return {"tools": tools}
        self._next_id += 1
        self._snapshots[self._next_id] = (owner, tools)
        while len(self._snapshots) > self._keep:
            self._snapshots.popitem(last=False)
        return self._page(self._next_id, 0)

    def next(self, cursor: Any, owner: Any = None) -> dict[str, Any]:
        snapshot, offset = self._decode(cursor)
        kept = self._snapshots.get(snapshot)
        if kept is None or kept[0] != owner or not 0 < offset < len(kept[1]):
            raise RpcError(INVALID_PARAMS, "Invalid params: unknown or expired cursor; list tools again")
        return self._page(snapshot, offset)

    def _page(self, snapshot: int, offset: int) -> dict[str, Any]:
        tools = self._snapshots[snapshot][1]
        page: dict[str, Any] = {"tools": tools[offset : offset + self.size]}
        if offset + self.size < len(tools):
            token = f"{self._prefix}:{snapshot}:{offset + self.size}".encode()
            page["nextCursor"] = base64.urlsafe_b64encode(token).decode()
        return page

    def _decode(self, cursor: Any) -> tuple[int, int]:
        try:
            prefix, snapshot, offset = base64.urlsafe_b64decode(str(cursor).encode()).decode().split(":")
            if prefix == self._prefix:
                return int(snapshot), int(offset)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            pass
        raise RpcError(INVALID_PARAMS, "Invalid params: malformed cursor")
