"""A misbehaving MCP target on a raw asyncio socket, run as its own process: ``python fault_target.py PORT DIR``.

Standard library only, so it starts in a blink and does exactly what a test asks, which no MCP SDK would:
each tool records every execution as a line ``<tool> <key>`` in ``DIR/executions`` (so a test can count
them), then misbehaves as its name says:

- ``record``: answers normally (``close_after``: then closes the idle connection that many seconds later);
- ``drop``: closes the socket without answering (a target that crashed mid-call);
- ``cut``: sends the response head and half a body, then closes;
- ``slow``: sleeps ``seconds`` first, tracking how many calls of its ``group`` run at once (the maximum in
  ``DIR/max-concurrency-<group>``);
- ``big``: answers with ``mb`` megabytes, framed by Content-Length or (``sse``) as a chunked event stream.

``tools/list`` is dropped without an answer once for each time ``DIR/drop-next-list`` is created.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

TOOLS = ["record", "drop", "cut", "slow", "big"]
LISTED = {"tools": [{"name": n, "description": n, "inputSchema": {"type": "object"}} for n in TOOLS]}


class Target:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.executions = (folder / "executions").open("a", buffering=1)
        self.running: Counter[str] = Counter()
        self.most: Counter[str] = Counter()

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
                body = await reader.readexactly(int(fields.get("content-length", "0")))
                if not await self.answer(lines[0].split(" ")[0], body, writer):
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def answer(self, verb: str, body: bytes, writer: asyncio.StreamWriter) -> bool:
        """Write the answer; False when the connection must be dropped."""
        if verb != "POST":
            return self.reply(writer, 200, b"")
        message = json.loads(body)
        method, params = message.get("method"), message.get("params") or {}
        if "id" not in message:
            return self.reply(writer, 202, b"")
        if method == "tools/list" and (self.folder / "drop-next-list").exists():
            (self.folder / "drop-next-list").unlink()
            return False
        if method == "tools/call":
            return await self.call(message["id"], params.get("name"), params.get("arguments") or {}, writer)
        result = LISTED if method == "tools/list" else {}
        if method == "initialize":
            result = {"protocolVersion": params["protocolVersion"], "capabilities": {"tools": {}}, "serverInfo": {}}
        return self.reply(writer, 200, _rpc(message["id"], result))

    async def call(self, msg_id: int, tool: str, args: dict, writer: asyncio.StreamWriter) -> bool:
        self.executions.write(f"{tool} {args.get('key', '')}\n")
        if tool == "drop":
            return False
        if tool == "cut":
            body = _rpc(msg_id, _text("never seen"))
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(body))
            writer.write(body[: len(body) // 2])
            await writer.drain()
            return False
        if tool == "slow":
            await self.slowly(str(args.get("group", "")), float(args.get("seconds", 0.05)))
        if tool == "big":
            await self.big(writer, msg_id, int(args["mb"]), bool(args.get("sse")))
            return True
        if args.get("close_after"):
            asyncio.get_running_loop().call_later(float(args["close_after"]), writer.close)
        return self.reply(writer, 200, _rpc(msg_id, _text(f"{tool} {args.get('key', '')}")))

    async def slowly(self, group: str, seconds: float) -> None:
        self.running[group] += 1
        if self.running[group] > self.most[group]:
            self.most[group] = self.running[group]
            (self.folder / f"max-concurrency-{group}").write_text(str(self.most[group]))
        try:
            await asyncio.sleep(seconds)
        finally:
            self.running[group] -= 1

    async def big(self, writer: asyncio.StreamWriter, msg_id: int, mb: int, sse: bool) -> None:
        """``mb`` MB of text in one result, written a megabyte at a time (this process never holds it whole)."""
        head, tail = _rpc(msg_id, _text("\0")).split(b"\\u0000")
        if sse:
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
            parts = [b"event: message\r\ndata: " + head, *([b"x" * 2**20] * mb), tail + b"\r\n\r\n"]
            for part in parts:
                writer.write(b"%x\r\n%s\r\n" % (len(part), part))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            return
        length = len(head) + mb * 2**20 + len(tail)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % length)
        for part in [head, *([b"x" * 2**20] * mb), tail]:
            writer.write(part)
            await writer.drain()

    def reply(self, writer: asyncio.StreamWriter, status: int, body: bytes) -> bool:
        kind = b"content-type: application/json\r\n" if body else b""
        writer.write(b"HTTP/1.1 %d OK\r\n%scontent-length: %d\r\n\r\n%s" % (status, kind, len(body), body))
        return True


def _rpc(msg_id: int, result: dict) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": msg_id, "result": result}).encode()


def _text(text: str) -> dict:
    return {"content": [{"type": "text", "text": text}], "isError": False}


async def main(port: int, folder: Path) -> None:
    target = Target(folder)
    server = await asyncio.start_server(target.connection, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), Path(sys.argv[2])))
