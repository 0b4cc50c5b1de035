"""``nxaws local-runtime-config``: the AppConfig data plane (``appconfigdata``) on 127.0.0.1, for trying the
deployed path of an agent on one machine.

Generated agents read runtime configuration (profile ``agentcore``, environment ``default``, application
``RUNTIME_CONFIG_APP_ID``) through Powertools and boto3; boto3 goes wherever ``AWS_ENDPOINT_URL_APPCONFIGDATA``
points. This serves ``StartConfigurationSession`` and ``GetLatestConfiguration`` for documents given on the
command line or in a JSON file. (moto has no appconfigdata backend, which is why this exists.)
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .stand_ins import in_foreground, in_thread

Key = tuple[str, str, str]


class LocalAppConfig(ThreadingHTTPServer):
    """``StartConfigurationSession`` and ``GetLatestConfiguration`` over HTTP on 127.0.0.1."""

    daemon_threads = True

    def __init__(self, documents: Mapping[Key, Any], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
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

    def log_message(self, format: str, *args: Any) -> None:  # one line per request is noise here
        pass


@contextlib.contextmanager
def serving_appconfig(documents: Mapping[Key, Any], port: int = 0) -> Iterator[LocalAppConfig]:
    """Run a ``LocalAppConfig`` in a daemon thread for the duration of the block."""
    server = LocalAppConfig(documents, port)
    with in_thread(server):
        yield server


def _set(document: dict[str, Any], dotted: str, value: str) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        document = document.setdefault(key, {})
    try:
        document[leaf] = json.loads(value)
    except json.JSONDecodeError:
        document[leaf] = value


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="nxaws local-runtime-config", description=__doc__.splitlines()[0])
    parser.add_argument("--app-id", default="local", help="the RUNTIME_CONFIG_APP_ID agents use (default: local)")
    parser.add_argument("--port", type=int, default=8200, help="port on 127.0.0.1 (default: 8200)")
    parser.add_argument("--file", help='JSON file: {namespace: document}, e.g. {"agentcore": {"gateways": {...}}}')
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAMESPACE.KEY=VALUE",
        help="e.g. agentcore.gateways.MyGateway=http://localhost:8100/mcp (repeatable; VALUE may be JSON)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    namespaces: dict[str, Any] = json.loads(Path(args.file).read_text()) if args.file else {}
    for item in args.set:
        path, sep, value = item.partition("=")
        if not sep or "." not in path:
            parser.error(f"--set takes NAMESPACE.KEY=VALUE, not {item!r}")
        namespace, _, key = path.partition(".")
        _set(namespaces.setdefault(namespace, {}), key, value)
    documents = {(args.app_id, "default", ns): doc for ns, doc in namespaces.items()}
    server = LocalAppConfig(documents, args.port)
    print(
        f"runtime config for RUNTIME_CONFIG_APP_ID={args.app_id} on {server.url} "
        f"(namespaces: {', '.join(namespaces) or 'none'})\n"
        f"  export AWS_ENDPOINT_URL_APPCONFIGDATA={server.url} RUNTIME_CONFIG_APP_ID={args.app_id}",
        file=sys.stderr,
        flush=True,
    )
    return in_foreground(server)
