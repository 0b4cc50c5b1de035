"""The gateway and its targets as real processes: restarts, the command line, a third-party MCP client."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support.mcp_servers import math_server, serving
from support.procs import free_port, running, wait_for_port

from .conftest import ScriptedTarget, gateway, rpc, serving_app, wait_for_line

TARGET = Path(__file__).with_name("target_server.py")


def call(name: str, arguments: dict) -> dict:
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["stateless", "stateful"])
def test_a_restarted_target_is_reconnected_transparently(tmp_path: Path, mode: str) -> None:
    port = free_port()
    args = [sys.executable, str(TARGET), str(port), *(["--stateful"] if mode == "stateful" else [])]
    with gateway(("calc", f"http://127.0.0.1:{port}/mcp")) as gw:
        with running(args, log=tmp_path / "first.log") as first:
            wait_for_port(port, proc=first)
            before = rpc(gw.url, call("calc___add", {"a": 1, "b": 2})).json()["result"]
        with running(args, log=tmp_path / "second.log") as second:
            wait_for_port(port, proc=second)
            after = rpc(gw.url, call("calc___add", {"a": 3, "b": 4})).json()["result"]
    assert before["structuredContent"] == {"result": 3}
    assert after["isError"] is False and after["structuredContent"] == {"result": 7}


@pytest.mark.timeout(120)
def test_command_line_serves_the_config_on_port_and_shuts_down_gracefully(tmp_path: Path) -> None:
    stateful = ScriptedTarget(stateful=True)
    port = free_port()
    with serving(math_server()) as math, serving_app(stateful) as scripted:
        targets = [{"name": "tools", "url": math.url}, {"name": "text", "url": scripted.url}]
        (tmp_path / "local-gateway.json").write_text(json.dumps({"name": "my-gateway", "port": 1, "targets": targets}))
        log = tmp_path / "gateway.log"
        args = [sys.executable, "-m", "nxaws.local_gateway", "--log-level", "debug"]
        with running(args, cwd=tmp_path, env={"PORT": str(port)}, log=log) as proc:
            startup = wait_for_line(log, "local gateway listening", proc)
            url = f"http://127.0.0.1:{port}/mcp"
            tools = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).json()["result"]["tools"]
            added = rpc(url, call("tools___add", {"a": 2, "b": 3}), {"authorization": "Bearer s3cret"}).json()
            rpc(url, call("text___t1", {}))
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)
        output = log.read_text()
    assert f"my-gateway: local gateway listening on http://127.0.0.1:{port}/mcp (targets: tools, text)" in startup
    assert [t["name"] for t in tools] == ["tools___add", "tools___whoami", *(f"text___t{i}" for i in range(5))]
    assert added["result"]["structuredContent"] == {"result": 5}
    assert "tools/call tools___add -> 200" in output and "s3cret" not in output
    assert len(stateful.deleted) == 1, output  # upstream session closed on SIGTERM


def test_command_line_reports_a_bad_config_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "local-gateway.json").write_text("{oops")
    done = subprocess.run(
        [sys.executable, "-m", "nxaws.local_gateway"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "local-gateway.json is not valid JSON" in done.stderr and "Traceback" not in done.stderr


def _inspector(args: list[str], log: Path) -> dict:
    """Run the Inspector CLI in its own process group (npx spawns node children) and parse its JSON answer.

    Only stdout is parsed: on a cold npx cache npm prints warnings (EBADENGINE: Inspector 2.12.0 asks for a
    newer Node than 20, and runs on 20 all the same) on stderr, which must not be mistaken for the answer.
    """
    errors = log.with_suffix(".stderr")
    command = ["npx", "-y", "@modelcontextprotocol/inspector@2.12.0", "--cli", *args]
    with running(command, log=log, stderr_log=errors) as proc:
        proc.wait(timeout=150)
    output = log.read_text()
    assert proc.returncode == 0, output + errors.read_text()
    return json.loads(output)


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.skipif(shutil.which("npx") is None, reason="npx is not installed: MCP Inspector CLI cannot run")
def test_mcp_inspector_cli_lists_and_calls_tools_through_the_gateway(tmp_path: Path) -> None:
    with serving(math_server()) as math, gateway(("tools", math.url)) as gw:
        base = [gw.url, "--transport", "http"]
        listed = _inspector([*base, "--method", "tools/list"], tmp_path / "list.log")
        call_args = ["--tool-name", "tools___add", "--tool-arg", "a=2", "--tool-arg", "b=3"]
        called = _inspector([*base, "--method", "tools/call", *call_args], tmp_path / "call.log")
    assert [t["name"] for t in listed["tools"]] == ["tools___add", "tools___whoami"]
    assert called["structuredContent"] == {"result": 5} and called["isError"] is False


@pytest.mark.timeout(120)
def test_command_line_iam_mode_takes_the_allowed_caller_from_the_aws_environment(tmp_path: Path) -> None:
    from .test_iam import KEY, PING, REGION, SECRET, SigV4

    port = free_port()
    (tmp_path / "local-gateway.json").write_text(json.dumps({"name": "gw", "targets": []}))
    nowhere = str(tmp_path / "no-aws-config")
    env = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_CONFIG_FILE": nowhere}
    env |= {"AWS_SHARED_CREDENTIALS_FILE": nowhere, "AWS_EC2_METADATA_DISABLED": "true"}
    args = [sys.executable, "-m", "nxaws.local_gateway", "--auth", "iam", "--region", REGION, "--port", str(port)]
    log = tmp_path / "gateway.log"
    with running(args, cwd=tmp_path, env=env, log=log) as proc:
        wait_for_line(log, "local gateway listening", proc)
        url = f"http://127.0.0.1:{port}/mcp"
        unsigned = httpx.post(url, content=PING, timeout=10)
        signed = httpx.post(url, content=PING, auth=SigV4(), headers={"content-type": "application/json"}, timeout=10)
    assert unsigned.status_code == 403 and signed.json()["result"] == {}
    assert SECRET not in log.read_text()
