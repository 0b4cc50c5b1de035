"""Who calls, as policies see it: OAuth callers in plain mode, cursors bound to their caller, input typed from
the tool's schema. The gateway runs in a thread here (``create_app`` with the project's policies)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp.server.fastmcp import FastMCP
from support.mcp_servers import ServerThread, serving
from support.policies import AGENT_A, AGENT_B, GENERATOR_POLICIES

from nxaws.local_gateway import create_app, load_config
from nxaws.local_gateway.policies import load_policies

from .conftest import rpc
from .test_policies import DENIED, allowed, call, gateway_project, listed
from .test_policies import shop_server as make_shop

pytestmark = pytest.mark.timeout(60)

ADMINS_ONLY = """forbid (principal is AgentCore::OAuthUser, action == AgentCore::Action::"shop___delete", resource)
unless { principal.hasTag("role") && principal.getTag("role") == "admin" };
"""


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    with serving(make_shop([], [])) as thread:
        yield thread.url


@contextlib.contextmanager
def in_thread(folder: Path, **options: Any) -> Iterator[str]:
    """The project's gateway, policies and all, served in this process for the block."""
    config_path = folder / "local-gateway.json"
    config = load_config(config_path).with_options(**options)
    thread = ServerThread(create_app(config, policies=load_policies(config_path, config.name))).start()
    try:
        yield thread.url
    finally:
        thread.stop()


def test_oauth_callers_are_a_sub_or_a_json_caller_with_claims(shop: str, tmp_path: Path) -> None:
    folder = gateway_project(tmp_path / "gw", shop, policies={"admins-only": ADMINS_ONLY})
    (folder / "policies/permit-all.cedar").write_text(
        (GENERATOR_POLICIES / "cognito/policies/permit-all.cedar").read_text()
    )
    (folder / "project.json").write_text(json.dumps({"name": "@acme/gw", "metadata": {"auth": "cognito"}}))
    admin = json.dumps({"sub": "u-1", "claims": {"role": "admin", "groups": ["ops"]}})
    with in_thread(folder) as url:
        assert "shop___delete" in listed(url, admin)
        assert allowed(call(url, "shop___delete", {"item": "a"}, admin))
        for viewer in ("u-2", json.dumps({"sub": "u-3", "claims": {"role": "viewer"}}), None):
            assert "shop___delete" not in listed(url, viewer), viewer
            denied = call(url, "shop___delete", {"item": "b"}, viewer).json()
            assert denied["error"]["message"] == f"{DENIED} [Policy evaluation denied due to admins-only.cedar]"
        for bad in ('{"sub": 1}', "{nope", '{"sub": "u", "role": "admin"}', "café".encode()):
            refused = call(url, "shop___delete", {"item": "c"}, bad)
            assert refused.status_code == 400, bad
            assert 'expected a JWT sub or {"sub": ..., "claims": {...}}' in refused.json()["error"]["message"]


def test_a_cursor_is_good_only_for_the_caller_it_was_listed_for(shop: str, tmp_path: Path) -> None:
    folder = gateway_project(tmp_path / "gw", shop)
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    with in_thread(folder, page_size=1) as url:
        page = rpc(url, message, {"x-nxaws-principal": AGENT_A}).json()["result"]
        more = {**message, "params": {"cursor": page["nextCursor"]}}
        assert rpc(url, more, {"x-nxaws-principal": AGENT_A}).json()["result"]["tools"][0]["name"] == "shop___delete"
        stolen = rpc(url, more, {"x-nxaws-principal": AGENT_B}).json()
        assert stolen["error"]["code"] == -32602 and "list tools again" in stolen["error"]["message"]


def pay_server(paid: list[Any]) -> FastMCP:
    server = FastMCP("pay", stateless_http=True, json_response=True)

    @server.tool()
    def pay(price: float) -> str:
        """Pay a price."""
        paid.append(price)
        return "paid"

    return server


def test_a_call_before_any_listing_types_its_input_from_the_tools_schema(tmp_path: Path) -> None:
    """``price`` is a JSON-schema ``number``: 5 must reach Cedar as decimal("5.0"), not as a Long (a type error)."""
    forbid = 'forbid (principal, action == AgentCore::Action::"shop___pay", resource)\n' \
             'when { context.input.price.greaterThan(decimal("100.0")) };\n'  # fmt: skip
    paid: list[Any] = []
    with serving(pay_server(paid)) as target:
        folder = gateway_project(tmp_path / "gw", target.url, policies={"forbid-big-payments": forbid})
        with in_thread(folder) as url:
            assert allowed(call(url, "shop___pay", {"price": 5}, AGENT_A))  # the first request this gateway sees
            big = call(url, "shop___pay", {"price": 500}, AGENT_A).json()
            assert big["error"]["message"].endswith("[Policy evaluation denied due to forbid-big-payments.cedar]")
            assert listed(url, AGENT_A) == ["shop___pay"]
    assert paid == [5]
