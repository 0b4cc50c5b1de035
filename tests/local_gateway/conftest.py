"""Shared pieces for local-gateway tests: a second sample server, the gateway in a thread, MCP clients."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.server.fastmcp import Context, FastMCP
from support.asgi import read_body
from support.mcp_servers import SESSION_HEADER, ServerThread
from support.procs import free_port, running, wait_for_port

from nxaws.local_gateway import GatewayConfig, IamAuth, Target, create_app


def text_server(seen: list | None = None, *, stateless: bool = True) -> FastMCP:
    """``upper`` (structured output), ``fail`` (an isError result) and ``headers`` (what reached the server)."""
    server = FastMCP("text", stateless_http=stateless, json_response=stateless)
    log = seen if seen is not None else []

    @server.tool()
    def upper(text: str) -> dict[str, str]:
        """Upper-case a text."""
        return {"upper": text.upper()}

    @server.tool()
    def fail(why: str) -> str:
        """Always fails, so the caller sees isError."""
        raise ValueError(f"refused: {why}")

    @server.tool()
    def headers(ctx: Context) -> str:
        """Record the request headers the server received."""
        received = dict(ctx.request_context.request.headers)
        log.append(received)
        return received.get(SESSION_HEADER, "")

    return server


@contextlib.contextmanager
def gateway(*targets: tuple[str, str], auth: IamAuth | None = None, **options: Any) -> Iterator[ServerThread]:
    """The gateway app served by uvicorn on a free port for the duration of the block."""
    config = GatewayConfig(name="test-gateway", targets=tuple(Target(n, u) for n, u in targets), **options)
    thread = ServerThread(create_app(config, auth=auth)).start()
    try:
        yield thread
    finally:
        thread.stop()


@contextlib.asynccontextmanager
async def mcp_client(
    url: str, headers: dict[str, str] | None = None, auth: httpx.Auth | None = None
) -> AsyncIterator[ClientSession]:
    """The official MCP client (legacy handshake), as agents use it."""
    async with (
        httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(10, read=30), auth=auth) as http,
        streamable_http_client(url, http_client=http) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


def rpc(
    url: str, message: Any, headers: dict[str, Any] | None = None, *, timeout: float = 15, **kwargs: Any
) -> httpx.Response:
    """One raw JSON-RPC POST, for what a well-behaved client never sends."""
    base = {"accept": "application/json, text/event-stream"}
    if isinstance(message, bytes):
        return httpx.post(url, content=message, headers={**base, **(headers or {})}, timeout=timeout, **kwargs)
    return httpx.post(url, json=message, headers={**base, **(headers or {})}, timeout=timeout, **kwargs)


class ScriptedTarget:
    """A hand-written MCP server for what FastMCP never does: paged tool lists, SSE answers, lost sessions.

    ``forget()`` drops every session, as a restarted stateful server would.
    """

    def __init__(
        self, tools: int = 5, page: int = 2, *, sse: bool = False, stateful: bool = False, list_delay: float = 0
    ) -> None:
        self.tools = [
            {"name": f"t{i}", "description": f"tool {i}", "inputSchema": {"type": "object"}} for i in range(tools)
        ]
        self.page, self.sse, self.stateful, self.list_delay = page, sse, stateful, list_delay
        self.sessions: set[str] = set()
        self.initializes = 0
        self.deleted: list[str] = []

    def forget(self) -> None:
        self.sessions.clear()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        body = await read_body(receive)
        if scope["method"] == "DELETE":
            self.deleted.append(headers.get("mcp-session-id", ""))
            return await _reply(send, 200, None)
        message = json.loads(body)
        lost = self.stateful and message.get("method") != "initialize"
        if lost and headers.get("mcp-session-id") not in self.sessions:
            return await _reply(
                send, 404, {"jsonrpc": "2.0", "id": None, "error": {"code": -32001, "message": "Session not found"}}
            )
        if "id" not in message:
            return await _reply(send, 202, None)
        if message.get("method") == "tools/list":
            await asyncio.sleep(self.list_delay)
        result, extra = self._answer(message)
        response = {"jsonrpc": "2.0", "id": message["id"], "result": result}
        if not self.sse:
            return await _reply(send, 200, response, extra)
        progress = {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}}
        stream = "".join(f"event: message\ndata: {json.dumps(m)}\n\n" for m in (progress, response)).encode()
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream"), *extra]}
        )
        await send({"type": "http.response.body", "body": stream})

    def _answer(self, message: dict) -> tuple[dict, list]:
        method, params = message["method"], message.get("params") or {}
        if method == "initialize":
            self.initializes += 1
            session = uuid.uuid4().hex
            self.sessions.add(session)
            result = {
                "protocolVersion": params["protocolVersion"],
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "scripted", "version": "1"},
            }
            return result, ([(b"mcp-session-id", session.encode())] if self.stateful else [])
        if method == "tools/list":
            offset = int(params.get("cursor") or 0)
            page: dict[str, Any] = {"tools": self.tools[offset : offset + self.page]}
            if offset + self.page < len(self.tools):
                page["nextCursor"] = str(offset + self.page)
            return page, []
        name, args = params["name"], params.get("arguments", {})
        text = {"type": "text", "text": f"{name} {json.dumps(args)}"}
        return {
            "content": [text],
            "structuredContent": {"name": name, "args": args},
            "isError": False,
            "_meta": {"k": 1},
        }, []


async def _reply(send: Any, status: int, message: Any, extra: list | None = None) -> None:
    body = json.dumps(message).encode() if message is not None else b""
    headers = [(b"content-type", b"application/json"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextlib.contextmanager
def serving_app(app: Any) -> Iterator[ServerThread]:
    """Any ASGI app on a free 127.0.0.1 port for the duration of the block."""
    thread = ServerThread(app).start()
    try:
        yield thread
    finally:
        thread.stop()


FAULT_TARGET = Path(__file__).with_name("fault_target.py")


@dataclasses.dataclass
class Process:
    """A real process serving HTTP on ``url``; ``log`` holds its output."""

    proc: subprocess.Popen
    url: str
    log: Path
    folder: Path

    def executions(self) -> list[str]:
        """Every execution a fault target recorded, as ``<tool> <key>`` lines."""
        path = self.folder / "executions"
        return path.read_text().splitlines() if path.exists() else []


@contextlib.contextmanager
def fault_target(folder: Path) -> Iterator[Process]:
    """``fault_target.py`` in its own process on a free port, recording into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "target.log"
    with running([sys.executable, str(FAULT_TARGET), str(port), str(folder)], log=log) as proc:
        wait_for_port(port, proc=proc)
        yield Process(proc, f"http://127.0.0.1:{port}/mcp", log, folder)


@contextlib.contextmanager
def gateway_process(folder: Path, targets: list[dict[str, Any]], *options: str, preexec: str = "") -> Iterator[Process]:
    """``nxaws local-gateway`` as its own process on a free port, serving ``targets`` (local-gateway.json entries).

    ``preexec`` is Python run in the gateway's process before the gateway itself (e.g. lowering a limit).
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "local-gateway.json"
    config.write_text(json.dumps({"name": "fault-gateway", "targets": targets}))
    port = free_port()
    log = folder / "gateway.log"
    launch = f"{preexec}\nimport runpy; runpy.run_module('nxaws.local_gateway', run_name='__main__')"
    args = [sys.executable, "-c", launch, str(config), "--port", str(port), *options]
    with running(args, log=log) as proc:
        wait_for_line(log, "local gateway listening", proc)
        yield Process(proc, f"http://127.0.0.1:{port}/mcp", log, folder)


def wait_for_line(log: Path, text: str, proc: subprocess.Popen, timeout: float = 60) -> str:
    """The log's content once ``text`` appears in it; fails early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text() if log.exists() else ""
        if text in content:
            return content
        if proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}:\n{content}")
        time.sleep(0.05)
    raise TimeoutError(f"no '{text}' in {log} within {timeout}s")


def vm_hwm_kib(pid: int) -> int:
    """Peak resident memory of a process so far (VmHWM in /proc/<pid>/status), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmHWM for process {pid}")
