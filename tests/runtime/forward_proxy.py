"""A small HTTP forward proxy on 127.0.0.1 that records what went through it (HTTP_PROXY / HTTPS_PROXY tests).

Plain-HTTP requests arrive in absolute form (``POST http://host:port/mcp``) and are relayed; ``CONNECT`` (what a
client sends for an https:// URL) is recorded and refused with 403, so no TLS is needed to see it was asked.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "content-length"}


class ForwardProxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        self.seen: list[tuple[str, str]] = []  # (method, target) in arrival order

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Relay(BaseHTTPRequestHandler):
    server: ForwardProxy
    protocol_version = "HTTP/1.1"

    def do_CONNECT(self) -> None:
        self.server.seen.append(("CONNECT", self.path))
        self.send_response(403, "tunnels refused by the test proxy")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _relay(self) -> None:
        self.server.seen.append((self.command, self.path))
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        with httpx.Client(trust_env=False, timeout=30) as client:  # the proxy itself goes direct
            upstream = client.request(self.command, self.path, headers=headers, content=body)
        content = upstream.content
        self.send_response(upstream.status_code)
        for name, value in upstream.headers.items():
            if name.lower() not in HOP_BY_HOP | {"content-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_DELETE = _relay

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy()
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=5)
