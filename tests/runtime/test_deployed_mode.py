"""Deployed mode end to end on one machine: AppConfig runtime config → SigV4 signing → verification → MCP.

Runtime config comes from ``appconfig_local.LocalAppConfig``, a 127.0.0.1 server speaking the appconfigdata
wire protocol, reached through ``AWS_ENDPOINT_URL_APPCONFIGDATA``; credentials are fake static keys in the
environment. The gateway URL in that config points at a Starlette app that checks each request's SigV4
signature with ``nxaws.sigv4.verify_sigv4`` before a real FastMCP app answers it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from botocore.credentials import RefreshableCredentials
from strands.tools.mcp import MCPClient
from support.mcp_servers import ServerThread, math_server

from runtime.appconfig_local import serving_appconfig
from runtime.mcp_apps import SigV4Gate
from runtime.rendered import submodule

pytestmark = pytest.mark.timeout(60)

REGION = "us-east-1"
ACCESS_KEY, SECRET = "AKIALOCALTEST0000001", "local-test-secret-1"
SECRETS = {ACCESS_KEY: SECRET, "AKIALOCALTEST0000002": "local-test-secret-2"}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> str:
    """Fake static credentials and a region, isolated from any real AWS configuration on this machine."""
    for name in ("LOCAL_DEV", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", REGION)
    app_id = f"app-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("RUNTIME_CONFIG_APP_ID", app_id)
    return app_id


@pytest.fixture
def gateway() -> Iterator[tuple[ServerThread, SigV4Gate, list]]:
    """A SigV4-verifying gateway stand-in in front of the math MCP server; yields (server, gate, calls)."""
    calls: list = []
    gate = SigV4Gate(math_server(calls=calls).streamable_http_app(), SECRETS.get, REGION)
    server = ServerThread(gate).start()
    try:
        yield server, gate, calls
    finally:
        server.stop()


@pytest.fixture
def runtime_config(aws_env: str, gateway, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    server, _, _ = gateway
    document = {"gateways": {"MyGateway": server.url}, "agentRuntimes": {}}
    with serving_appconfig({(aws_env, "default", "agentcore"): document}) as appconfig:
        monkeypatch.setenv("AWS_ENDPOINT_URL_APPCONFIGDATA", appconfig.url)
        yield appconfig


def test_strands_deployed_path_signs_verifies_and_calls(lib: ModuleType, gateway, runtime_config) -> None:
    _, gate, calls = gateway
    with lib.session_id_context("s-deployed"), lib.MyGatewayClientStrands.create() as client:
        names = sorted(tool.tool_name for tool in client.list_tools_sync())
        result = client.call_tool_sync(tool_use_id="c-1", name="add", arguments={"a": 40, "b": 2})
    assert names == ["add", "whoami"]
    assert result["content"][0]["text"] == "42"
    assert calls == [("add", (40, 2), "s-deployed")]
    assert gate.verified and set(gate.verified) == {ACCESS_KEY}
    assert all("x-amzn-bedrock-agentcore-runtime-session-id" in signed for signed in gate.signed_headers)
    assert runtime_config.authorizations and all(
        a.startswith("AWS4-HMAC-SHA256 ") for a in runtime_config.authorizations
    )


def test_langchain_deployed_path(lib: ModuleType, gateway, runtime_config) -> None:
    _, gate, calls = gateway
    tools = {tool.name: tool for tool in lib.MyGatewayClientLangChain.create()}
    with lib.session_id_context("lc-deployed"):
        result = asyncio.run(tools["add"].ainvoke({"a": 1, "b": 2}))
    assert result[0]["text"] == "3"
    assert calls == [("add", (1, 2), "lc-deployed")]
    assert set(gate.verified) == {ACCESS_KEY}


def test_missing_app_id_names_the_variable(lib: ModuleType, aws_env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNTIME_CONFIG_APP_ID")
    with pytest.raises(RuntimeError, match="RUNTIME_CONFIG_APP_ID is not set.*RuntimeConfigApplicationId"):
        lib.MyGatewayClientStrands.create()


def test_missing_gateway_entry_names_the_fix(lib: ModuleType, aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving_appconfig({(aws_env, "default", "agentcore"): {"gateways": {"Other": "x"}}}) as appconfig:
        monkeypatch.setenv("AWS_ENDPOINT_URL_APPCONFIGDATA", appconfig.url)
        for client in (lib.MyGatewayClientStrands, lib.MyGatewayClientLangChain):
            with pytest.raises(RuntimeError) as error:
                client.create()
            assert "No connected gateway named 'MyGateway' found in runtime configuration." in str(error.value)
            assert "Deploy the gateway" in str(error.value) and "RUNTIME_CONFIG_APP_ID" in str(error.value)


def test_unknown_appconfig_application_is_reported(lib: ModuleType, aws_env: str, monkeypatch) -> None:
    with serving_appconfig({}) as appconfig:
        monkeypatch.setenv("AWS_ENDPOINT_URL_APPCONFIGDATA", appconfig.url)
        with pytest.raises(
            RuntimeError, match=f"Could not read AppConfig profile 'agentcore' of application {aws_env}"
        ):
            lib.MyGatewayClientStrands.create()


def test_no_credentials_names_the_fix(lib: ModuleType, aws_env, runtime_config, gateway, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(RuntimeError, match="No AWS credentials found to read the runtime configuration.*AWS_PROFILE"):
        lib.MyGatewayClientStrands.create()
    with pytest.raises(RuntimeError, match="No AWS credentials found to sign gateway requests.*AWS_PROFILE"):
        lib.AgentCoreGatewayMCPClientStrands.with_iam_auth(gateway[0].url)
    with pytest.raises(RuntimeError, match="No AWS credentials found to sign gateway requests"):
        lib.AgentCoreGatewayMCPClientLangChain.with_iam_auth(gateway[0].url)


def test_403_surfaces_with_status_and_invoke_gateway_hint(lib: ModuleType, aws_env, gateway) -> None:
    server, gate, calls = gateway
    gate.secret_for = {}.get  # the gateway knows no keys: every request is denied
    with pytest.raises(Exception) as error, lib.AgentCoreGatewayMCPClientStrands.with_iam_auth(server.url):
        pass
    message = str(error.value)
    assert "HTTP 403" in message and "bedrock-agentcore:InvokeGateway" in message and "unknown access key" in message
    transport = submodule(lib, "core.agentcore_transport")
    with pytest.raises(transport.GatewayHTTPError) as lc_error:
        lib.AgentCoreGatewayMCPClientLangChain.with_iam_auth(server.url)
    assert lc_error.value.status_code == 403 and "Cedar policy" in str(lc_error.value)
    assert calls == []


def test_denied_call_fails_that_call_only_with_status_and_hint(lib: ModuleType, aws_env, gateway) -> None:
    server, gate, calls = gateway
    gate.denied_methods = {"tools/call"}
    with lib.AgentCoreGatewayMCPClientStrands.with_iam_auth(server.url) as client:
        denied = client.call_tool_sync(tool_use_id="1", name="add", arguments={"a": 1, "b": 2})
        gate.denied_methods = set()
        allowed = client.call_tool_sync(tool_use_id="2", name="add", arguments={"a": 2, "b": 2})
    assert denied["status"] == "error"
    assert "HTTP 403" in denied["content"][0]["text"] and "Cedar policy" in denied["content"][0]["text"]
    assert allowed["status"] == "success" and allowed["content"][0]["text"] == "4"
    assert calls == [("add", (2, 2), None)]


def test_404_surfaces_with_status_and_url_hint(lib: ModuleType, aws_env, gateway) -> None:
    wrong = gateway[0].url.replace("/mcp", "/nope")
    with pytest.raises(Exception) as error, lib.AgentCoreGatewayMCPClientStrands.with_iam_auth(wrong):
        pass
    assert "HTTP 404" in str(error.value) and "check the gateway URL" in str(error.value)


def test_refreshing_credentials_keep_verifying(lib: ModuleType, aws_env, gateway) -> None:
    """Credentials that change on every refresh: each request is signed with the then-current key."""
    server, gate, calls = gateway
    keys = iter([*SECRETS.items()] * 100)

    def refresh() -> dict[str, str]:
        # 12 minutes left: past botocore's advisory refresh point, before its mandatory one, so every use refreshes.
        key, secret = next(keys)
        expiry = (datetime.now(UTC) + timedelta(minutes=12)).isoformat()
        return {"access_key": key, "secret_key": secret, "token": f"token-{key[-1]}", "expiry_time": expiry}

    credentials = RefreshableCredentials.create_from_metadata(refresh(), refresh, "test-refresh")
    transport = submodule(lib, "core.agentcore_transport")
    with MCPClient(transport.sigv4_transport(server.url, REGION, credentials=credentials)) as client:
        first = client.call_tool_sync(tool_use_id="1", name="add", arguments={"a": 1, "b": 1})
        second = client.call_tool_sync(tool_use_id="2", name="add", arguments={"a": 2, "b": 2})
    assert [first["content"][0]["text"], second["content"][0]["text"]] == ["2", "4"]
    assert set(gate.verified) == set(SECRETS)
    assert len(calls) == 2
