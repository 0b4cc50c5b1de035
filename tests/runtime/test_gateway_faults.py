"""A gateway that is down, hung or behind a proxy, as the rendered clients meet it: one readable ``GatewayError``
naming the gateway and what to do, within the configured timeouts, and environment proxies honoured."""

from __future__ import annotations

import asyncio
import threading
import time
from types import ModuleType

import pytest

from runtime.forward_proxy import forward_proxy
from runtime.gateways import GatewayTools, hung_gateway, serving_gateway
from runtime.rendered import submodule

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("local_dev")]


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def gateway_error(lib: ModuleType) -> type[Exception]:
    return submodule(lib, "core.agentcore_transport").GatewayError


def test_a_down_gateway_is_named_by_both_clients(lib: ModuleType, gateway_port: int) -> None:
    url = f"http://localhost:{gateway_port}/mcp"
    with pytest.raises(gateway_error(lib), match=f"Gateway {url} could not be reached: ConnectError"):
        lib.MyGatewayClientStrands.create().start()
    with pytest.raises(gateway_error(lib), match=f"Gateway {url} could not be reached: ConnectError"):
        lib.MyGatewayClientLangChain.create()


def test_a_hung_gateway_fails_after_the_timeout_given_to_create(lib: ModuleType, gateway_port: int) -> None:
    with hung_gateway(gateway_port):
        started = time.monotonic()
        with pytest.raises(gateway_error(lib)) as error, lib.MyGatewayClientStrands.create(timeout=0.5):
            pass
        waited = time.monotonic() - started
    assert f"Gateway http://localhost:{gateway_port}/mcp did not answer within 0.5 s" in str(error.value)
    assert "create(timeout=...) or AGENTCORE_GATEWAY_TIMEOUT" in str(error.value)
    assert waited < 30  # the configured timeout, not Strands' startup timeout or httpx's defaults


def test_a_hung_gateway_fails_after_the_timeout_in_the_environment(
    lib: ModuleType, gateway_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTCORE_GATEWAY_TIMEOUT", "0.5")
    with hung_gateway(gateway_port), pytest.raises(gateway_error(lib), match="did not answer within 0.5 s"):
        lib.MyGatewayClientLangChain.create()


def test_a_bad_timeout_setting_is_named(lib: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTCORE_GATEWAY_CONNECT_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="AGENTCORE_GATEWAY_CONNECT_TIMEOUT='soon' is not a number of seconds"):
        lib.MyGatewayClientStrands.create()


def test_a_tool_call_that_times_out_is_not_repeated(lib: ModuleType, gateway_port: int) -> None:
    """After the handshake, a call that gets no answer in time fails that call only: its outcome is unknown."""
    tools = GatewayTools()
    tools.hold = threading.Event()
    try:
        with serving_gateway(gateway_port, tools), lib.MyGatewayClientStrands.create(timeout=1) as client:
            result = client.call_tool_sync("t-1", "tools___add", {"a": 1, "b": 2})
            tools.hold.set()
            again = client.call_tool_sync("t-2", "tools___whoami", {})
    finally:
        tools.hold.set()
    assert result["status"] == "error"
    assert "did not answer within 1 s" in result["content"][0]["text"]
    assert "outcome is unknown, so the call was not repeated" in result["content"][0]["text"]
    assert [name for name, _, _ in tools.calls] == ["add"]  # sent once
    assert again["status"] == "success"  # the session survived


def test_plain_http_is_refused_outside_local_dev_and_localhost(lib: ModuleType, monkeypatch) -> None:
    monkeypatch.delenv("LOCAL_DEV")
    for client in (lib.AgentCoreGatewayMCPClientStrands, lib.AgentCoreGatewayMCPClientLangChain):
        with pytest.raises(ValueError, match="Refusing to call gateway http://gw.example.com/mcp over plain HTTP"):
            client.without_auth("http://gw.example.com/mcp")
    transport = submodule(lib, "core.agentcore_endpoints")
    transport.check_gateway_url("http://127.0.0.1:9/mcp")  # this machine: allowed
    transport.check_gateway_url("https://gw.example.com/mcp")
    with pytest.raises(ValueError, match="is not an http"):
        transport.check_gateway_url("ftp://gw.example.com/mcp")
    monkeypatch.setenv("LOCAL_DEV", "true")
    transport.check_gateway_url("http://gw.example.com/mcp")


def test_http_proxy_and_no_proxy_from_the_environment_apply(
    lib: ModuleType, gateway_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = GatewayTools()
    with forward_proxy() as proxy, serving_gateway(gateway_port, tools):
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with lib.session_id_context("via-proxy"), lib.MyGatewayClientStrands.create() as client:
            assert client.call_tool_sync("p-1", "tools___add", {"a": 20, "b": 22})["content"][0]["text"] == "42"
        whoami = next(t for t in lib.MyGatewayClientLangChain.create() if t.name == "tools___whoami")
        with lib.session_id_context("lc-via-proxy"):
            assert asyncio.run(whoami.ainvoke({}))[0]["text"] == "lc-via-proxy"
        proxied = len(proxy.seen)
        monkeypatch.setenv("NO_PROXY", "localhost")
        with lib.MyGatewayClientStrands.create() as client:
            assert client.call_tool_sync("p-2", "tools___add", {"a": 1, "b": 1})["content"][0]["text"] == "2"
    url = f"http://localhost:{gateway_port}/mcp"
    assert proxied >= 6 and all(seen == ("POST", url) for seen in proxy.seen), proxy.seen
    assert len(proxy.seen) == proxied  # NO_PROXY: straight to the gateway
    assert tools.calls == [("add", (20, 22), "via-proxy"), ("add", (1, 1), None)]


def test_https_proxy_from_the_environment_is_asked_for_a_tunnel(lib: ModuleType, monkeypatch) -> None:
    monkeypatch.delenv("LOCAL_DEV")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDPROXYTEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "proxy-test-secret")
    url = "https://gw-1.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"
    with forward_proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        with pytest.raises(gateway_error(lib), match=f"Gateway {url} could not be reached: ProxyError"):
            lib.AgentCoreGatewayMCPClientStrands.with_iam_auth(url).start()
        with pytest.raises(gateway_error(lib), match=f"Gateway {url} could not be reached: ProxyError"):
            lib.AgentCoreGatewayMCPClientLangChain.with_iam_auth(url)
    host = "gw-1.gateway.bedrock-agentcore.us-east-1.amazonaws.com:443"
    assert proxy.seen == [("CONNECT", host), ("CONNECT", host)]
