"""Cedar policies in ``nxaws local-gateway``, with real processes: a gateway project on disk, the gateway as
``python -m nxaws.local_gateway``, a FastMCP target recording every call it executes, raw JSON-RPC callers."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp.server.fastmcp import Context, FastMCP
from support.mcp_servers import serving
from support.policies import (
    ACCOUNT,
    AGENT_A,
    AGENT_B,
    FORBID_B_DELETE,
    FORBID_BIG_REFUNDS,
    GENERATOR_POLICIES,
    OTHER_ACCOUNT,
)
from support.procs import free_port, running

from .conftest import Process, rpc, wait_for_line
from .test_iam import KEY, REGION, SECRET, SigV4

pytestmark = pytest.mark.timeout(120)

STRANGER = OTHER_ACCOUNT
DENIED = "Tool Execution Denied: Tool call not allowed due to policy enforcement"
ALL_TOOLS = ["shop___refund", "shop___delete", "shop___headers"]


def shop_server(calls: list[tuple[str, Any]], seen_headers: list[dict[str, str]]) -> FastMCP:
    """``refund``, ``delete`` and ``headers``; each execution is recorded, so a test sees what reached the target."""
    server = FastMCP("shop", stateless_http=True, json_response=True)

    @server.tool()
    def refund(amount: int) -> str:
        """Refund an amount."""
        calls.append(("refund", amount))
        return f"refunded {amount}"

    @server.tool()
    def delete(item: str) -> str:
        """Delete an item."""
        calls.append(("delete", item))
        return f"deleted {item}"

    @server.tool()
    def headers(ctx: Context) -> str:
        """Record the request headers that reached the target."""
        seen_headers.append(dict(ctx.request_context.request.headers))
        return "ok"

    return server


@pytest.fixture(scope="module")
def shop() -> Iterator[dict[str, Any]]:
    calls: list[tuple[str, Any]] = []
    seen_headers: list[dict[str, str]] = []
    with serving(shop_server(calls, seen_headers)) as thread:
        yield {"url": thread.url, "calls": calls, "headers": seen_headers}


def gateway_project(folder: Path, target_url: str, *, policies: dict[str, str] | None = None, **section: Any) -> Path:
    """A gateway project: ``local-gateway.json`` (target ``shop``, ``section`` as its ``policies``) and the
    generator's IAM permit-all beside ``policies`` (name → Cedar text)."""
    (folder / "policies").mkdir(parents=True)
    config: dict[str, Any] = {"name": "shop-gateway", "targets": [{"name": "shop", "url": target_url}]}
    if section:
        config["policies"] = section
    (folder / "local-gateway.json").write_text(json.dumps(config))
    shutil.copy(GENERATOR_POLICIES / "iam/policies/permit-all.cedar", folder / "policies/permit-all.cedar")
    for name, text in (policies or {}).items():
        (folder / "policies" / f"{name}.cedar").write_text(text)
    return folder


def gateway_args(folder: Path, port: int, *options: str) -> list[str]:
    return [sys.executable, "-m", "nxaws.local_gateway", str(folder / "local-gateway.json"), "--port", str(port),
            *options]  # fmt: skip


@contextlib.contextmanager
def policy_gateway(folder: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[Process]:
    """``nxaws local-gateway`` for the project in ``folder``, as its own process on a free port."""
    port = free_port()
    log = folder / "gateway.log"
    with running(gateway_args(folder, port, *options), env=env, log=log) as proc:
        wait_for_line(log, "local gateway listening", proc)
        yield Process(proc, f"http://127.0.0.1:{port}/mcp", log, folder)


def as_(principal: str | bytes | None) -> dict[str, str | bytes]:
    return {"x-nxaws-principal": principal} if principal else {}


def listed(url: str, principal: str | bytes | None = None, **kwargs: Any) -> list[str]:
    answer = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, as_(principal), **kwargs).json()
    return [t["name"] for t in answer["result"]["tools"]]


def call(
    url: str, tool: str, arguments: dict[str, Any], principal: str | bytes | None = None, **kwargs: Any
) -> httpx.Response:
    message = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    return rpc(url, message, as_(principal), **kwargs)


def allowed(response: httpx.Response) -> bool:
    body = response.json()
    assert response.status_code == 200 and ("result" in body or body["error"]["code"] == -32002), body
    return "result" in body and body["result"]["isError"] is False


def eventually(check: Callable[[], bool], timeout: float = 20) -> None:
    """Wait for a reload to be picked up (policies are re-checked at most every 0.5 s)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("no change within the timeout")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def enforcing(shop: dict, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """permit-all, a forbid for AgentB on ``shop___delete`` and a forbid on refunds over 100, enforced."""
    folder = tmp_path_factory.mktemp("enforcing") / "shop-gateway"
    rules = {"forbid-b-delete": FORBID_B_DELETE, "forbid-big-refunds": FORBID_BIG_REFUNDS}
    gateway_project(folder, shop["url"], policies=rules)
    with policy_gateway(folder) as gw:
        yield gw


def test_start_up_line_says_how_many_policies_are_loaded_and_in_which_mode(enforcing: Process) -> None:
    assert "(targets: shop); policies: 3 loaded (enforce)" in enforcing.log.read_text()


def test_a_forbid_for_one_principal_hides_the_tool_from_it_only_and_denies_its_calls(
    enforcing: Process, shop: dict
) -> None:
    assert listed(enforcing.url, AGENT_A) == ALL_TOOLS
    assert listed(enforcing.url, AGENT_B) == ["shop___refund", "shop___headers"]
    assert listed(enforcing.url) == ALL_TOOLS  # the default principal, a user of the account
    denied = call(enforcing.url, "shop___delete", {"item": "secret-item-b"}, AGENT_B)
    assert denied.status_code == 200
    assert denied.json() == {
        "jsonrpc": "2.0",
        "id": 7,
        "error": {"code": -32002, "message": f"{DENIED} [Policy evaluation denied due to forbid-b-delete.cedar]"},
    }
    assert allowed(call(enforcing.url, "shop___delete", {"item": "item-a"}, AGENT_A))
    assert ("delete", "item-a") in shop["calls"] and ("delete", "secret-item-b") not in shop["calls"]
    log = enforcing.log.read_text()
    assert f"DENY AgentCore::IamEntity::\"{AGENT_B}\" shop___delete policies=['forbid-b-delete.cedar']" in log
    assert "secret-item-b" not in log and "item-a" not in log  # no arguments in the log


def test_a_forbid_on_the_input_keeps_the_tool_listed_and_judges_each_call(enforcing: Process, shop: dict) -> None:
    assert "shop___refund" in listed(enforcing.url, AGENT_A)
    assert allowed(call(enforcing.url, "shop___refund", {"amount": 5}, AGENT_A))
    big = call(enforcing.url, "shop___refund", {"amount": 500}, AGENT_A).json()
    assert big["error"] == {
        "code": -32002,
        "message": f"{DENIED} [Policy evaluation denied due to forbid-big-refunds.cedar]",
    }
    assert ("refund", 5) in shop["calls"] and ("refund", 500) not in shop["calls"]


def test_callers_of_another_account_see_nothing_and_are_denied_by_default(enforcing: Process, shop: dict) -> None:
    assert listed(enforcing.url, STRANGER) == []
    denied = call(enforcing.url, "shop___refund", {"amount": 1}, STRANGER).json()
    assert denied["error"]["message"] == f"{DENIED} [No policy applies to the request (denied by default).]"
    assert ("refund", 1) not in shop["calls"]


def test_the_principal_header_is_never_forwarded_and_a_malformed_one_is_refused(enforcing: Process, shop: dict) -> None:
    shop["headers"].clear()
    assert allowed(call(enforcing.url, "shop___headers", {}, AGENT_A))
    assert shop["headers"] and "x-nxaws-principal" not in shop["headers"][0]
    bad = call(enforcing.url, "shop___headers", {}, "AgentA")
    assert bad.status_code == 400 and "Invalid x-nxaws-principal header (expected an IAM ARN)" in bad.text
    assert len(shop["headers"]) == 1


def test_log_only_allows_and_logs_the_deny(shop: dict, tmp_path: Path) -> None:
    folder = gateway_project(tmp_path / "gw", shop["url"], policies={"forbid-b-delete": FORBID_B_DELETE},
                             mode="log-only")  # fmt: skip
    with policy_gateway(folder) as gw:
        assert listed(gw.url, AGENT_B) == ALL_TOOLS
        assert allowed(call(gw.url, "shop___delete", {"item": "logged-only"}, AGENT_B))
        assert allowed(call(gw.url, "shop___delete", {"item": "by-a"}, AGENT_A))
        log = gw.log.read_text()
    assert "policies: 2 loaded (log-only)" in log and ("delete", "logged-only") in shop["calls"]
    assert f"policy (log-only, allowed) DENY AgentCore::IamEntity::\"{AGENT_B}\" shop___delete " \
           "policies=['forbid-b-delete.cedar']" in log  # fmt: skip
    assert f'policy (log-only, allowed) ALLOW AgentCore::IamEntity::"{AGENT_A}" shop___delete' in log


def test_off_on_the_command_line_ignores_the_policies(shop: dict, tmp_path: Path) -> None:
    folder = gateway_project(tmp_path / "gw", shop["url"], policies={"forbid-b-delete": FORBID_B_DELETE},
                             mode="enforce")  # fmt: skip
    with policy_gateway(folder, "--policies", "off") as gw:
        assert listed(gw.url, STRANGER) == ALL_TOOLS
        assert allowed(call(gw.url, "shop___delete", {"item": "off"}, AGENT_B))
        log = gw.log.read_text()
    assert "policies: off" in log and "DENY" not in log and ("delete", "off") in shop["calls"]


def test_policies_that_do_not_parse_or_validate_stop_start_up_with_file_and_line(tmp_path: Path) -> None:
    broken = "permit (\n  principal,\n  action =\n  resource\n);\n"
    unknown_type = "forbid (principal is AgentCore::Robot, action, resource);\n"
    folder = gateway_project(tmp_path / "gw", "http://127.0.0.1:9/mcp", policies={"broken": broken,
                             "robots": unknown_type})  # fmt: skip
    done = subprocess.run(gateway_args(folder, free_port()), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    expected = (
        f"{folder}/policies/broken.cedar:5: '=' is not a valid operator in Cedar (in the policy starting on line 1)"
    )
    assert expected in done.stderr, done.stderr
    assert f"{folder}/policies/robots.cedar:1:" in done.stderr and "AgentCore::Robot" in done.stderr
    assert "local gateway listening" not in done.stdout


def test_a_bad_policies_section_stops_start_up(tmp_path: Path) -> None:
    folder = gateway_project(tmp_path / "gw", "http://127.0.0.1:9/mcp", mode="enforcing")
    done = subprocess.run(gateway_args(folder, free_port()), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "policies.mode must be one of enforce, log-only, off" in done.stderr


def _write(path: Path, text: str) -> None:
    """Write and move the mtime on, so the change is seen even within one mtime tick."""
    before = path.stat().st_mtime_ns if path.exists() else time.time_ns()
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_an_edited_policy_takes_effect_without_a_restart_and_a_broken_edit_keeps_the_last_good_set(
    shop: dict, tmp_path: Path
) -> None:
    folder = gateway_project(tmp_path / "gw", shop["url"])
    rule = folder / "policies/forbid-b-delete.cedar"
    with policy_gateway(folder) as gw:
        for who in (AGENT_A, AGENT_B, f"arn:aws:sts::{ACCOUNT}:assumed-role/AgentC/session-1", None):
            assert listed(gw.url, who) == ALL_TOOLS, who  # the default permit-all: every agent, everything
            assert allowed(call(gw.url, "shop___refund", {"amount": 1000}, who)), who
        _write(rule, FORBID_B_DELETE)
        eventually(lambda: not allowed(call(gw.url, "shop___delete", {"item": "x"}, AGENT_B)))
        assert listed(gw.url, AGENT_B) == ["shop___refund", "shop___headers"]
        _write(rule, FORBID_B_DELETE.replace("action ==", "action ="))
        eventually(lambda: "policies not reloaded, keeping the last good set" in gw.log.read_text())
        assert f"{rule}:6: '=' is not a valid operator" in gw.log.read_text()
        assert not allowed(call(gw.url, "shop___delete", {"item": "x"}, AGENT_B))
        assert allowed(call(gw.url, "shop___delete", {"item": "y"}, AGENT_A))
        rule.unlink()
        eventually(lambda: allowed(call(gw.url, "shop___delete", {"item": "z"}, AGENT_B)))
        assert gw.proc.poll() is None


def test_iam_mode_takes_the_principal_from_the_key_map_and_ignores_the_header(shop: dict, tmp_path: Path) -> None:
    folder = gateway_project(tmp_path / "gw", shop["url"], policies={"forbid-b-delete": FORBID_B_DELETE},
                             principals={KEY: AGENT_B})  # fmt: skip
    nowhere = str(tmp_path / "no-aws-config")
    env = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_CONFIG_FILE": nowhere,
           "AWS_SHARED_CREDENTIALS_FILE": nowhere, "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip
    signed = {"auth": SigV4()}
    shop["headers"].clear()
    with policy_gateway(folder, "--auth", "iam", "--region", REGION, env=env) as gw:
        assert listed(gw.url, AGENT_A, **signed) == ["shop___refund", "shop___headers"]  # AgentB's view
        denied = call(gw.url, "shop___delete", {"item": "signed"}, AGENT_A, **signed).json()
        assert denied["error"]["message"].endswith("[Policy evaluation denied due to forbid-b-delete.cedar]")
        assert allowed(call(gw.url, "shop___headers", {}, AGENT_A, **signed))
        assert allowed(call(gw.url, "shop___headers", {}, "not even an ARN", **signed))  # ignored, not parsed
        unsigned = call(gw.url, "shop___headers", {}, AGENT_A)
        log = gw.log.read_text()
    assert unsigned.status_code == 403 and ("delete", "signed") not in shop["calls"]
    assert len(shop["headers"]) == 2 and all("x-nxaws-principal" not in h for h in shop["headers"])
    assert f'DENY AgentCore::IamEntity::"{AGENT_B}" shop___delete' in log and SECRET not in log
