"""One long-lived MCP client per target: keep-alive HTTP, one handshake, reconnects that never repeat a call.

The TypeScript local gateway opens a fresh MCP client (TCP connect + initialize) for every request,
which is where its ~10 ms per call goes. Here each target gets one pooled HTTP transport, is initialized
once (its ``mcp-session-id`` kept if it is stateful), and is re-initialized when it says it forgot us or
a connection breaks (it restarted).

Resending follows httpcore's rule. A request is sent again (once, after a fresh handshake) only when it
certainly never reached the target: the connection was refused, or the target refused our session. After
a request may have been delivered (the connection broke after it was written, or no answer came in time),
``tools/call`` is never resent: the caller learns the outcome is unknown. Reads (``initialize``,
``tools/list``, ``ping``) change nothing on the target, so they are resent once on a fresh connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from .config import Target, TargetLimits
from .context import RequestContext
from .health import Health
from .limits import Busy, ReplyMeter, ReplyTooLarge, Slots
from .replies import drain, read_body, read_sse
from .transport import KeepAliveTransport

PROTOCOL_VERSION = "2025-06-18"
SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id"
TransportFactory = Callable[[], httpx.AsyncBaseTransport]

_READS = frozenset({"initialize", "tools/list", "ping"})  # safe to resend: they change nothing on the target
_MAX_PAGES = 100  # a target whose cursors never end must not hang tools/list
_ERROR_BODY_CHARS = 200
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


class TargetError(Exception):
    """A request to a target produced no answer; ``str()`` names the target and why (shown to agents)."""

    def __init__(self, target: str, message: str) -> None:
        super().__init__(message)
        self.target = target


class TargetUnavailable(TargetError):
    """The target is down, frozen or broken; ``outcome_unknown`` when a ``tools/call`` may have run anyway."""

    def __init__(self, target: str, reason: str, *, outcome_unknown: bool = False) -> None:
        message = f"Target '{target}' is unavailable: {reason}"
        if outcome_unknown:
            message += ". The call may have reached it, so it was not sent again: its outcome is unknown"
        super().__init__(target, message)
        self.reason = reason


class UpstreamRpcError(Exception):
    """The target answered with a JSON-RPC error, which the gateway relays as is."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(str(error.get("message", "upstream error")))
        self.error = error


class _SessionLost(Exception):
    """The target no longer knows our ``mcp-session-id`` (it restarted): initialize again."""


class _NotSent(Exception):
    """The request certainly never reached the target (the connection could not be made)."""


class _MaybeSent(Exception):
    """The connection failed after the request was written: it may have reached the target."""

    def __init__(self, method: str, cause: httpx.TransportError) -> None:
        super().__init__(f"connection lost while waiting for the answer ({type(cause).__name__})")
        self.method = method


class Upstream:
    """An MCP client session with one target, shared by every request the gateway serves."""

    def __init__(
        self, target: Target, limits: TargetLimits, *, client_name: str, transport: TransportFactory | None = None
    ) -> None:
        self.target = target
        self.limits = limits
        self.health = Health(target.name, self._probe)
        self._slots = Slots(limits.max_concurrent, limits.max_queued)
        self._transport = (transport or KeepAliveTransport)()
        self._client_info = {"name": client_name, "version": "1.0.0"}
        self._url = httpx.URL(target.url)
        self._ext = {"timeout": httpx.Timeout(limits.timeout).as_dict()}
        self._headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
        self._ready = False
        self._epoch = 0  # bumped by each successful initialize, so concurrent reconnects happen once
        self._lock = asyncio.Lock()
        self._ids = itertools.count(1)
        self._tails: dict[httpx.Response, asyncio.Task[None]] = {}  # SSE streams read to their end after the answer

    async def call_tool(self, params: dict[str, Any], ctx: RequestContext) -> Any:
        """``tools/call`` with ``params`` as given; the result is returned untouched."""
        async with self._bounded("tools/call"):
            return await self._request("tools/call", params, ctx)

    async def list_tools(self, ctx: RequestContext) -> list[dict[str, Any]]:
        """Every tool of the target, following ``nextCursor`` pages."""
        tools: list[dict[str, Any]] = []
        async with self._bounded("tools/list"):
            cursor = None
            for _ in range(_MAX_PAGES):
                result = await self._request("tools/list", {"cursor": cursor} if cursor else {}, ctx)
                tools.extend(result.get("tools") or [])
                cursor = result.get("nextCursor")
                if not cursor:
                    break
        return tools

    async def aclose(self) -> None:
        """Stop probing, end a stateful session politely (DELETE) and close pooled connections."""
        await self.health.aclose()
        for tail in list(self._tails.values()):
            tail.cancel()
        await asyncio.gather(*self._tails.values(), return_exceptions=True)
        for response in list(self._tails):  # tails cancelled before they ever ran
            await response.aclose()
        if self._headers.get("mcp-session-id") and self.health.down_reason is None:
            request = httpx.Request("DELETE", self._url, headers=self._headers, extensions=self._ext)
            with contextlib.suppress(httpx.HTTPError, TimeoutError):  # the target may be gone: nothing to clean
                async with asyncio.timeout(2.0):
                    await (await self._transport.handle_async_request(request)).aclose()
        await self._transport.aclose()

    @contextlib.asynccontextmanager
    async def _bounded(self, method: str) -> AsyncIterator[None]:
        """A slot and the target's timeout for one operation; every failure becomes a ``TargetError``."""
        name, timeout = self.target.name, self.limits.timeout
        self._check_up()
        holding_slot = False
        try:
            async with asyncio.timeout(timeout), self._slots.held():
                self._check_up()  # it may have been marked down while this request waited for a slot
                holding_slot = True
                yield
        except Busy as exc:
            raise TargetError(name, f"Target '{name}' is busy: {exc}. Try again shortly") from None
        except TimeoutError:
            if not holding_slot:
                raise TargetError(name, f"Target '{name}' is busy: no free slot within {timeout:g} s") from None
            self.health.mark_down(f"no answer within {timeout:g} s")
            unknown = method == "tools/call"
            raise TargetUnavailable(name, f"no answer within {timeout:g} s", outcome_unknown=unknown) from None
        except _NotSent as exc:
            raise TargetUnavailable(name, f"{_describe(exc)} ({self.target.url})") from None
        except _MaybeSent as exc:
            raise TargetUnavailable(name, str(exc), outcome_unknown=exc.method == "tools/call") from None
        except ReplyTooLarge as exc:
            dropped = "the tool ran but its result was dropped" if method == "tools/call" else "it was dropped"
            raise TargetError(name, f"Target '{name}' sent a reply {exc}; {dropped}") from None
        except _SessionLost:  # only when it refuses the session it has just issued
            raise TargetUnavailable(name, "it refused its own new session") from None

    def _check_up(self) -> None:
        if self.health.down_reason is not None:
            reason = f"{self.health.down_reason} earlier; skipped until it answers again (checked in the background)"
            raise TargetUnavailable(self.target.name, reason)

    async def _request(self, method: str, params: dict[str, Any], ctx: RequestContext) -> Any:
        if not self._ready:
            await self._initialize(self._epoch)
        epoch = self._epoch
        try:
            return await self._post(method, params, ctx)
        except (_SessionLost, _NotSent):
            pass  # a restarted target forgot our session, or is not listening yet: it did not run the request
        except _MaybeSent:
            if method not in _READS:
                raise
        await self._initialize(epoch)
        try:
            return await self._post(method, params, ctx)
        except _SessionLost:
            raise TargetUnavailable(self.target.name, "it rejected a fresh session") from None

    async def _initialize(self, seen_epoch: int) -> None:
        async with self._lock:
            if self._ready and self._epoch != seen_epoch:
                return  # another request already reconnected while this one waited
            self._ready = False
            self._headers.pop("mcp-session-id", None)
            self._headers.pop("mcp-protocol-version", None)
            params = {"protocolVersion": PROTOCOL_VERSION, "capabilities": {}, "clientInfo": self._client_info}
            result, response_headers = await self._exchange("initialize", params, dict(self._headers), self._meter())
            if response_headers.get("mcp-session-id"):
                self._headers["mcp-session-id"] = response_headers["mcp-session-id"]
            self._headers["mcp-protocol-version"] = result.get("protocolVersion", PROTOCOL_VERSION)
            initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
            await self._send(initialized, dict(self._headers), self._meter())
            self._epoch += 1
            self._ready = True

    async def _post(self, method: str, params: dict[str, Any], ctx: RequestContext) -> Any:
        session_id = ctx.session_id
        headers = {**self._headers, SESSION_HEADER: session_id} if session_id else self._headers
        result, _ = await self._exchange(method, params, headers, self._meter(ctx.replies))
        return result

    def _meter(self, batch: ReplyMeter | None = None) -> ReplyMeter:
        limit = self.limits.max_reply_bytes
        over = f"larger than {limit} bytes, the limit set by its maxReplyBytes (default: --max-reply-bytes)"
        return ReplyMeter(limit, over, parent=batch)

    async def _exchange(
        self, method: str, params: dict[str, Any], headers: dict[str, str], meter: ReplyMeter
    ) -> tuple[Any, httpx.Headers]:
        msg_id = next(self._ids)
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}
        reply, response_headers = await self._send(message, headers, meter)
        if "error" in reply:
            raise UpstreamRpcError(reply["error"] if isinstance(reply["error"], dict) else {"message": "error"})
        if "result" not in reply:
            raise TargetUnavailable(self.target.name, f"its answer to {method} had no result")
        return reply["result"], response_headers

    async def _send(
        self, message: dict[str, Any], headers: dict[str, str], meter: ReplyMeter
    ) -> tuple[dict[str, Any], httpx.Headers]:
        in_session = "mcp-session-id" in headers  # now: a reconnect may change the shared headers meanwhile
        request = httpx.Request("POST", self._url, content=json.dumps(message), headers=headers, extensions=self._ext)
        try:
            response = await self._transport.handle_async_request(request)
        except httpx.ConnectError as exc:
            raise _NotSent(exc) from exc
        except httpx.TimeoutException:
            raise TimeoutError() from None
        except httpx.TransportError as exc:
            raise _MaybeSent(message.get("method", ""), exc) from exc
        try:
            return await self._reply(response, message, in_session, meter), response.headers
        except httpx.TimeoutException:
            raise TimeoutError() from None
        except httpx.TransportError as exc:
            raise _MaybeSent(message.get("method", ""), exc) from exc
        finally:
            if response not in self._tails:
                await response.aclose()

    async def _reply(
        self, response: httpx.Response, message: dict[str, Any], in_session: bool, meter: ReplyMeter
    ) -> dict[str, Any]:
        if response.status_code in (400, 404) and in_session:
            raise _SessionLost()
        if "id" not in message:  # a notification: read the (empty) body so the connection is reused
            await read_body(response, meter)
            return {}
        if response.status_code >= 400:
            raise self._http_error(response.status_code, await read_body(response, meter))
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            return await self._answer_in_events(response, message["id"], meter)
        return self._decode(await read_body(response, meter))

    def _http_error(self, status: int, body: bytes) -> Exception:
        try:
            reply = json.loads(body)
        except ValueError:
            reply = None
        if isinstance(reply, dict) and isinstance(reply.get("error"), dict):
            return UpstreamRpcError(reply["error"])
        text = body.decode(errors="replace").strip()[:_ERROR_BODY_CHARS]
        return TargetUnavailable(self.target.name, f"HTTP {status} {text}".strip())

    async def _answer_in_events(self, response: httpx.Response, msg_id: int, meter: ReplyMeter) -> dict[str, Any]:
        events = read_sse(response, meter)
        async for data in events:
            message = self._decode(data)
            if message.get("id") == msg_id and ("result" in message or "error" in message):
                self._read_tail(response, events)
                return message
        raise TargetUnavailable(self.target.name, "its event stream ended without an answer")

    def _read_tail(self, response: httpx.Response, events: AsyncIterator[bytes]) -> None:
        """Finish the stream in the background (its end follows the answer by ~0.2-1 ms), then pool its connection."""

        async def finish() -> None:
            try:
                await drain(events)
            finally:
                del self._tails[response]
                await response.aclose()

        self._tails[response] = asyncio.get_running_loop().create_task(finish())

    def _decode(self, body: bytes | bytearray) -> dict[str, Any]:
        try:
            message = json.loads(body)
        except ValueError:
            raise TargetUnavailable(self.target.name, "it answered with something that is not JSON") from None
        if not isinstance(message, dict):
            raise TargetUnavailable(self.target.name, "it answered with something that is not a JSON-RPC message")
        return message

    async def _probe(self) -> None:
        """Any HTTP answer to a ``ping`` within the timeout means the target is back."""
        message = {"jsonrpc": "2.0", "id": next(self._ids), "method": "ping"}
        request = httpx.Request(
            "POST", self._url, content=json.dumps(message), headers=self._headers, extensions=self._ext
        )
        async with asyncio.timeout(self.limits.timeout):
            await (await self._transport.handle_async_request(request)).aclose()


def _describe(exc: _NotSent) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno in _OUT_OF_RESOURCES:
            return f"the gateway ran out of resources to connect ({cause.strerror}); lower the load or raise ulimit -n"
        cause = cause.__cause__ or cause.__context__
    return "connection refused or unreachable"
