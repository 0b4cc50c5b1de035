"""A local stand-in for the AppConfig data plane (``appconfigdata``), speaking its REST wire protocol.

moto has no ``appconfigdata`` backend, so tests run this on 127.0.0.1 and point boto3 at it with
``AWS_ENDPOINT_URL_APPCONFIGDATA``. It serves JSON documents keyed by (application, environment, profile):

    from runtime.appconfig_local import serving_appconfig

    with serving_appconfig({("app-1", "default", "agentcore"): {"gateways": {...}}}) as appconfig:
        monkeypatch.setenv("AWS_ENDPOINT_URL_APPCONFIGDATA", appconfig.url)
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Key = tuple[str, str, str]


class LocalAppConfig(ThreadingHTTPServer):
    """``StartConfigurationSession`` and ``GetLatestConfiguration`` over HTTP on 127.0.0.1."""

    daemon_threads = True

    def __init__(self, documents: Mapping[Key, Any]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.documents = dict(documents)
        self.sessions: dict[str, Key] = {}
        self.authorizations: list[str] = []  # Authorization headers seen (tests check requests were signed)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: LocalAppConfig

    def do_POST(self) -> None:  # StartConfigurationSession
        self.server.authorizations.append(self.headers.get("Authorization", ""))
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        key = (body["ApplicationIdentifier"], body["EnvironmentIdentifier"], body["ConfigurationProfileIdentifier"])
        if urlsplit(self.path).path != "/configurationsessions" or key not in self.server.documents:
            return self._error(404, "ResourceNotFoundException", f"No configuration for {key}")
        token = uuid.uuid4().hex
        self.server.sessions[token] = key
        self._send(201, json.dumps({"InitialConfigurationToken": token}).encode(), {})

    def do_GET(self) -> None:  # GetLatestConfiguration
        self.server.authorizations.append(self.headers.get("Authorization", ""))
        token = parse_qs(urlsplit(self.path).query).get("configuration_token", [""])[0]
        key = self.server.sessions.pop(token, None)
        if key is None:
            return self._error(400, "BadRequestException", "Invalid or expired configuration token")
        next_token = uuid.uuid4().hex
        self.server.sessions[next_token] = key
        headers = {"Next-Poll-Configuration-Token": next_token, "Next-Poll-Interval-In-Seconds": "60"}
        self._send(200, json.dumps(self.server.documents[key]).encode(), headers)

    def _error(self, status: int, kind: str, message: str) -> None:
        self._send(status, json.dumps({"Message": message}).encode(), {"x-amzn-ErrorType": kind})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@contextlib.contextmanager
def serving_appconfig(documents: Mapping[Key, Any]) -> Iterator[LocalAppConfig]:
    """Run a ``LocalAppConfig`` in a daemon thread for the duration of the block."""
    server = LocalAppConfig(documents)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
