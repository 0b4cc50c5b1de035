"""What users of the TypeScript plugin's Python library already call works here too: ``SigV4HTTPXAuth`` in its
argument order (or by keyword), the ``sigv4_auth`` / ``plain_auth`` helpers, and extra headers on ``create()``
(as ``mcp-proxy-for-aws`` takes them)."""

from __future__ import annotations

import asyncio
from types import ModuleType

import httpx
import pytest
from botocore.credentials import Credentials
from starlette.types import ASGIApp, Receive, Scope, Send
from support.mcp_servers import ServerThread

from nxaws.sigv4 import verify_sigv4
from runtime.gateways import GatewayTools
from runtime.rendered import submodule

KEY, SECRET, REGION = "AKIAPARITY0000000001", "parity-secret", "eu-west-1"
SESSION = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


def send(auth: httpx.Auth) -> httpx.Request:
    """One POST through a real ``httpx.Client``; a ``MockTransport`` only captures what the auth produced."""
    captured: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: captured.append(request) or httpx.Response(200))
    with httpx.Client(transport=transport, auth=auth) as client:
        client.post("https://gw.test/mcp", content=b'{"jsonrpc": "2.0"}', headers={"Content-Type": "application/json"})
    return captured[0]


def verify(request: httpx.Request) -> tuple[str, ...]:
    verified = verify_sigv4(method="POST", url=str(request.url), headers=dict(request.headers), body=request.content,
                            secret_for={KEY: SECRET}.get, region=REGION)  # fmt: skip
    return verified.signed_headers


def test_sigv4_auth_takes_the_typescript_plugins_order_and_keywords(lib: ModuleType) -> None:
    auth = submodule(lib, "core.auth")
    credentials = Credentials(KEY, SECRET)
    for signer in (
        auth.SigV4HTTPXAuth(credentials, "bedrock-agentcore", REGION),
        auth.SigV4HTTPXAuth(credentials=credentials, service="bedrock-agentcore", region=REGION),
        auth.SigV4HTTPXAuth(region=REGION, credentials=credentials),
    ):
        assert "host" in verify(send(signer))


def test_sigv4_auth_without_a_region_names_the_fix(lib: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(ValueError, match="needs a region: pass region=... or set AWS_REGION"):
        submodule(lib, "core.auth").SigV4HTTPXAuth(Credentials(KEY, SECRET))


def test_sigv4_and_plain_auth_helpers_stamp_the_session(lib: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    auth = submodule(lib, "core.auth")
    monkeypatch.setenv("NXAWS_LOCAL_PRINCIPAL", "arn:aws:iam::123456789012:role/agent")
    with lib.session_id_context("parity-1"):
        signed = send(auth.sigv4_auth(Credentials(KEY, SECRET), REGION))
        plain = send(auth.plain_auth())
    assert signed.headers[SESSION] == "parity-1"
    assert SESSION.lower() in verify(signed)  # stamped before signing: the gateway can trust it
    assert plain.headers[SESSION] == "parity-1" and "authorization" not in plain.headers
    assert plain.headers["X-Nxaws-Principal"] == "arn:aws:iam::123456789012:role/agent"


class HeaderLog:
    """Pure ASGI: record each request's headers, then pass it on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
        await self.app(scope, receive, send)


def test_create_sends_extra_headers_on_every_request(lib: ModuleType, gateway_port: int, local_dev) -> None:
    log = HeaderLog(GatewayTools().server().streamable_http_app())
    server = ServerThread(log, gateway_port).start()
    try:
        with lib.MyGatewayClientStrands.create(headers={"X-Tenant": "strands"}) as client:
            client.call_tool_sync("h-1", "tools___add", {"a": 1, "b": 2})
        strands_requests = len(log.headers)
        tools = lib.MyGatewayClientLangChain.create(headers={"X-Tenant": "langchain"})
        asyncio.run(next(t for t in tools if t.name == "tools___add").ainvoke({"a": 1, "b": 2}))
    finally:
        server.stop()
    assert strands_requests >= 3 and len(log.headers) >= strands_requests + 4
    assert [h.get("x-tenant") for h in log.headers[:strands_requests]] == ["strands"] * strands_requests
    assert {h.get("x-tenant") for h in log.headers[strands_requests:]} == {"langchain"}
