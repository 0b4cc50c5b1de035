"""The HTTP side: ``Converse`` and ``ConverseStream`` on 127.0.0.1, answered from a ``Script``."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..stand_ins import in_thread
from .responses import converse_body, stream_frames
from .script import Reply, Script, ScriptError, default_script, load_script, parse_script
from .shapes import service_facts

MAX_BODY = 8 * 1024 * 1024  # bytes of request body; larger gets 413 ValidationException
MAX_DRAIN = 64 * 1024 * 1024  # an oversized body is read and dropped up to this, so the client sees our answer
MAX_RECORDED = 1000  # the newest requests kept for GET /_nxaws/requests ...
MAX_RECORDED_BYTES = 64 * 1024 * 1024  # ... and at most this many bytes of their bodies
MAX_CONNECTIONS = 64  # concurrent connections; more get 429 ThrottlingException, as an overloaded service would
SOCKET_TIMEOUT = 30.0  # seconds a connection may sit idle or stall mid-request
REQUESTS_PATH, SCRIPT_PATH = "/_nxaws/requests", "/_nxaws/script"
OPERATIONS = {"converse": "Converse", "converse-stream": "ConverseStream"}
REFUSED = object()  # what _read_json returns once it has answered a bad body
ScriptSource = Script | Sequence[Mapping[str, Any]] | str | Path | None


class LocalBedrock(ThreadingHTTPServer):
    """A scripted Bedrock Runtime on 127.0.0.1: boto3 reaches it through ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``."""

    daemon_threads = True

    def __init__(
        self,
        script: ScriptSource = None,
        port: int = 0,
        *,
        max_body: int = MAX_BODY,
        max_connections: int = MAX_CONNECTIONS,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.script = as_script(script)
        self.max_body = max_body
        self.log = log
        self._received: deque[tuple[int, dict[str, Any]]] = deque()
        self._received_bytes = 0
        self._received_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def client_env(self, region: str = "us-east-1") -> dict[str, str]:
        """Environment for a process whose boto3 should reach this stand-in (with made-up credentials)."""
        return {
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": self.url,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_ACCESS_KEY_ID": "AKIDLOCALBEDROCK",
            "AWS_SECRET_ACCESS_KEY": "local-bedrock-made-up-secret",
        }

    @property
    def received(self) -> list[dict[str, Any]]:
        """The Converse/ConverseStream requests seen: ``{operation, modelId, signed, body}``, oldest first."""
        with self._received_lock:
            return [entry for _, entry in self._received]

    def record(self, operation: str, model_id: str, signed: bool, body: dict[str, Any], size: int) -> None:
        entry = {"operation": operation, "modelId": model_id, "signed": signed, "body": body}
        with self._received_lock:
            self._received.append((size, entry))
            self._received_bytes += size
            while len(self._received) > MAX_RECORDED or self._received_bytes > MAX_RECORDED_BYTES:
                self._received_bytes -= self._received.popleft()[0]

    def clear(self) -> None:
        with self._received_lock:
            self._received.clear()
            self._received_bytes = 0

    def use_script(self, script: ScriptSource) -> None:
        """Answer from now on with ``script`` (its ``once``/``times`` counters start afresh)."""
        self.script = as_script(script)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            _refuse(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (or idles past SOCKET_TIMEOUT) on a kept-alive connection is normal, not news.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def as_script(script: ScriptSource) -> Script:
    """A ``Script`` from a script, turn data, a file path, or None (the built-in default)."""
    if script is None:
        return default_script()
    if isinstance(script, Script):
        return script
    if isinstance(script, str | Path):
        return load_script(script)
    return parse_script(list(script), "<turns given in code>")


@contextlib.contextmanager
def serving_bedrock(script: ScriptSource = None, port: int = 0, **options: Any) -> Iterator[LocalBedrock]:
    """Run a ``LocalBedrock`` in a daemon thread for the duration of the block (``options``: its limits, ``log``)."""
    server = LocalBedrock(script, port, **options)
    with in_thread(server):
        yield server


def _refuse(connection: socket.socket) -> None:
    """429 ThrottlingException on a connection over the limit, sent without a handler thread."""
    body = json.dumps({"message": "local-bedrock: too many connections at once"}).encode()
    head = (f"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
            f"x-amzn-ErrorType: ThrottlingException\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")  # fmt: skip
    with contextlib.suppress(OSError):
        connection.settimeout(0.1)  # this runs on the accepting thread: never wait long
        connection.sendall(head.encode() + body)
        connection.shutdown(socket.SHUT_WR)
        connection.recv(1 << 16)  # what the client already sent: closing on unread data would reset the answer


def request_problem(model_id: str, body: Any) -> str | None:
    """Why a Converse request is malformed (the service's ValidationException), or None."""
    if not model_id or len(model_id) > 2048:
        return "The provided model identifier is invalid."
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    messages = body.get("messages", [])
    if not isinstance(messages, list):
        return "messages must be a list."
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or message.get("role") not in service_facts().roles:
            return f"messages.{number}: a message has a role ({', '.join(service_facts().roles)})."
        content = message.get("content")
        if not isinstance(content, list) or not all(isinstance(block, dict) for block in content):
            return f"messages.{number}.content must be a list of content blocks."
    config = body.get("toolConfig") or {}
    tools = config.get("tools", []) if isinstance(config, dict) else None
    if not isinstance(tools, list) or not all(_is_tool(tool) for tool in tools):
        return "toolConfig.tools must be a list of {toolSpec: {name, inputSchema}}."
    return None


def _is_tool(tool: Any) -> bool:
    if not isinstance(tool, dict):
        return False
    spec = tool.get("toolSpec")
    return spec is None or (isinstance(spec, dict) and isinstance(spec.get("name"), str))


class _Handler(BaseHTTPRequestHandler):
    server: LocalBedrock
    protocol_version = "HTTP/1.1"
    timeout = SOCKET_TIMEOUT
    unread = False  # a request body still on the socket, which must go before the next request is parsed

    def parse_request(self) -> bool:
        self.unread = True
        return super().parse_request()

    def do_POST(self) -> None:
        parts = urlsplit(self.path).path.split("/")  # /model/<percent-encoded id>/converse[-stream]
        if len(parts) != 4 or parts[1] != "model" or parts[3] not in OPERATIONS:
            return self._not_found()
        body = self._read_json()
        if body is not REFUSED:
            self._converse(OPERATIONS[parts[3]], unquote(parts[2]), body)

    def do_GET(self) -> None:
        if urlsplit(self.path).path != REQUESTS_PATH:
            return self._not_found()
        self._send_json(200, self.server.received)

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path != REQUESTS_PATH:
            return self._not_found()
        self.server.clear()
        self._send_json(200, {"cleared": True})

    def do_PUT(self) -> None:
        if urlsplit(self.path).path != SCRIPT_PATH:
            return self._not_found()
        data = self._read_json()
        if data is REFUSED:
            return
        try:
            self.server.use_script(parse_script(data, "PUT " + SCRIPT_PATH))
        except ScriptError as exc:
            return self._error(400, "ValidationException", str(exc))
        self._send_json(200, {"turns": len(self.server.script.turns)})

    def _converse(self, operation: str, model_id: str, body: Any) -> None:
        started = time.monotonic()
        problem = request_problem(model_id, body)
        if problem:
            return self._error(400, "ValidationException", problem)
        signed = self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 ")
        self.server.record(operation, model_id, signed, body, int(self.headers.get("Content-Length", "0")))
        reply = self.server.script.answer(body)
        self._note(operation, model_id, reply)
        if reply is None:
            message = f"local-bedrock: no turn of {self.server.script.source} matches the request's last message."
            return self._error(400, "ValidationException", message)
        streaming = operation == "ConverseStream"
        if reply.error is not None and not (streaming and reply.error.in_stream):
            status = service_facts().error_status[reply.error.code]
            return self._error(status, reply.error.code, reply.error.message)
        if streaming:
            return self._send_stream(stream_frames(body, reply, started))
        self._send_json(200, converse_body(body, reply, started))

    def _note(self, operation: str, model_id: str, reply: Reply | None) -> None:
        if self.server.log is None:
            return
        if reply is None:
            answer = "no turn matched"
        elif reply.error is not None:
            answer = f"turn {reply.turn}: {reply.error.code}"
        else:
            answer = f"turn {reply.turn}: " + ", ".join(
                [*(["text"] if reply.text else []), *(f"tool_use {call.name}" for call in reply.tool_calls)]
            )
        self.server.log(f"{operation} {model_id} -> {answer}")

    def _read_json(self) -> Any:
        """The request's JSON body; on a bad body, the error is sent and ``REFUSED`` returned."""
        problem = self._body_problem()
        if problem is None:
            self.unread = False
            try:
                return json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            except (ValueError, UnicodeDecodeError) as exc:
                problem = 400, f"The request body is not valid JSON: {exc}."
        self._error(problem[0], "ValidationException", problem[1])
        return REFUSED

    def _body_problem(self) -> tuple[int, str] | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            return 411, "local-bedrock needs a Content-Length."
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            self.close_connection = True
            return 400, "Content-Length is not a number of bytes."
        if int(length) > self.server.max_body:
            self._discard(int(length))
            return 413, f"The request body exceeds {self.server.max_body} bytes."
        return None

    def _discard(self, length: int) -> None:
        left = min(length, MAX_DRAIN)
        while left > 0 and (chunk := self.rfile.read(min(left, 1 << 16))):
            left -= len(chunk)
        self.unread = False
        self.close_connection = True

    def _drop_unread_body(self) -> None:
        length = self.headers.get("Content-Length", "0")
        if length.isdigit() and int(length) <= self.server.max_body and "Transfer-Encoding" not in self.headers:
            self.rfile.read(int(length))
            self.unread = False
        else:
            self._discard(int(length) if length.isdigit() else 0)

    def _not_found(self) -> None:
        self._error(404, "UnknownOperationException", f"local-bedrock serves no {self.command} {self.path}.")

    def _error(self, status: int, code: str, message: str) -> None:
        body = json.dumps({"message": message}).encode()
        self._send(status, body, {"Content-Type": "application/json", "x-amzn-ErrorType": code})

    def _send_json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, ensure_ascii=False).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        if self.unread and not self.close_connection:
            self._drop_unread_body()
        self.send_response(status)
        for name, value in {**headers, "x-amzn-RequestId": str(uuid.uuid4())}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _send_stream(self, frames: Iterable[bytes]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        try:
            for frame in frames:  # one HTTP chunk a frame, written at once: each delta reaches the client alone
                self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
            self.wfile.write(b"0\r\n\r\n")
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away mid-stream: nothing left to tell it

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # http.server's own errors (bad request line, unknown method, oversized headers) in the AWS form,
        # and never as a 5xx: an unknown method is 405, anything else the client's fault.
        status = 405 if code == 501 else code if code < 500 else 400
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # the request line did not parse: answer in HTTP/1.1 anyway
            self.request_version = self.protocol_version
        kind = "UnknownOperationException" if status == 405 else "ValidationException"
        with contextlib.suppress(OSError):
            self._error(status, kind, f"local-bedrock: {message or 'bad request'}")

    def log_message(self, format: str, *args: Any) -> None:  # requests are logged by _note, when asked
        pass
