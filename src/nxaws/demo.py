"""``nxaws demo``: build a workspace from nothing, start the local loop, and ask the agent to use a gateway tool.

It runs what a user runs — ``nxaws new``, the generators, ``uv sync``, ``npm install``, then
``nx run <agents>:agent-dev`` — with the agent's Bedrock model pointed at ``nxaws local-bedrock`` (a scripted
model: it calls the gateway's ``___add`` tool and answers with its result), and prints the agent's streamed
answer to ``POST /invocations``. The deployed path (SigV4 to an IAM-mode gateway) follows with the client alone.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from . import engine
from .local_bedrock import LocalBedrock, serving_bedrock
from .processes import kill_group
from .workspace.errors import UserError

STEPS: list[tuple[str, dict[str, object]]] = [
    ("py#project", {"name": "agents"}),
    ("py#agent", {"project": "agents"}),
    ("py#project", {"name": "tools"}),
    ("py#mcp-server", {"project": "tools", "name": "tools"}),
    ("agentcore-gateway", {"name": "my-gateway"}),
    ("connection", {"sourceProject": "my-gateway", "targetProject": "tools"}),
    ("connection", {"sourceProject": "agents", "targetProject": "my-gateway"}),
]
NX_ENV = {"NX_DAEMON": "false", "NX_NO_CLOUD": "true", "NX_TUI": "false", "NX_SKIP_NX_CACHE": "true"}

SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id"
QUESTIONS = [("What is 40 plus 2?", "demo-session-1")]

DEPLOYED_SCRIPT = """
from {module} import MyGatewayClientStrands, session_id_context

with session_id_context("demo-session-2"), MyGatewayClientStrands.create() as gateway:
    names = ", ".join(sorted(t.tool_name for t in gateway.list_tools_sync()))
    result = gateway.call_tool_sync("demo-2", "tools___add", {{"a": 40, "b": 2}})
    print("SigV4-signed: tools", names, "-> tools___add(40, 2) =", result["content"][0]["text"])
"""
WRONG_KEY_SCRIPT = """
from {module} import MyGatewayClientStrands
try:
    with MyGatewayClientStrands.create() as gateway:
        gateway.list_tools_sync()
except Exception as exc:
    print("wrong secret key:", str(exc).split("failed: ", 1)[-1])
"""
CALLER = {"AWS_ACCESS_KEY_ID": "AKIDNXAWSDEMO", "AWS_SECRET_ACCESS_KEY": "demo-secret", "AWS_REGION": "us-east-1"}


def build(
    directory: Path, steps: Sequence[tuple[str, dict[str, object]]] = STEPS, *, install: bool = True, out=sys.stdout
) -> None:
    """``nxaws new directory`` then each generator step; by default the demo workspace (an agent, an MCP
    server, a gateway, and the two connections). Tests and benchmarks build theirs with it too."""
    engine.generate("new", directory, {"directory": str(directory)}, dry_run=False)
    for generator_id, options in steps:
        outcome = engine.generate(generator_id, directory, dict(options), dry_run=False)
        out.write(f"nxaws g {generator_id} {' '.join(str(v) for v in options.values())}: "
                  f"{len(outcome.changes)} files\n")  # fmt: skip
    if install:
        engine.install(directory, {"npm", "uv"}, out)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _wait(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise UserError(f"`nx run` exited with {proc.returncode} before {url} answered; see tmp/agent-dev.log.")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.25)
    raise UserError(f"{url} did not answer within {timeout:.0f}s.")


def run(directory: Path, out=sys.stdout, timeout: float = 120) -> None:
    """Start ``agent-dev`` (agent + local gateway + MCP server) and ask the agent questions its tools answer."""
    busy = [p for p in (8000, 8081, 8100) if not _port_free(p)]
    if busy:
        raise UserError(f"Port(s) {', '.join(map(str, busy))} are in use; stop what listens there and run again.")
    scope = directory.name.replace("-", "_")
    log_path = directory / "tmp" / "agent-dev.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with serving_bedrock() as bedrock, log_path.open("wb") as log:
        out.write(f"\nStarting `npx nx run {scope}.agents:agent-dev` (log: {log_path.relative_to(directory.parent)}),"
                  f" its Bedrock model pointed at nxaws local-bedrock ({bedrock.url}): a scripted model, not a real"
                  " one\n")  # fmt: skip
        proc = subprocess.Popen(
            ["npx", "nx", "run", f"{scope}.agents:agent-dev", "--outputStyle=stream"], cwd=directory,
            env={**os.environ, **NX_ENV, **bedrock.client_env()}, start_new_session=True, stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait("http://127.0.0.1:8100/mcp", proc, timeout)
            _wait("http://127.0.0.1:8081/ping", proc, timeout)
            out.write("\nagent-dev is up: agent on :8081, local gateway on :8100, MCP server on :8000\n")
            for prompt, session_id in QUESTIONS:
                bedrock.clear()
                _ask(prompt, session_id, out, timeout)
                out.write(f"  {_what_the_model_did(bedrock)}\n")
        finally:
            kill_group(proc)


def _ask(prompt: str, session_id: str, out, timeout: float) -> None:
    """``POST /invocations`` and print the agent's answer as it streams in."""
    out.write(f"\nPOST /invocations {json.dumps({'prompt': prompt})}  ({SESSION_HEADER}: {session_id})\n")
    out.write("  agent (scripted model)> ")
    out.flush()
    headers = {SESSION_HEADER: session_id}
    with httpx.stream("POST", "http://127.0.0.1:8081/invocations", json={"prompt": prompt}, headers=headers,
                      timeout=timeout) as response:  # fmt: skip
        if response.status_code != 200:
            raise UserError(f"The agent answered HTTP {response.status_code}: {response.read().decode()[:500]}")
        for line in response.iter_lines():
            chunk = json.loads(line) if line else {}
            if "error" in chunk:
                raise UserError(f"The agent failed: {chunk['error']}")
            out.write(chunk.get("content", ""))
            out.flush()
    out.write("\n")


def _what_the_model_did(bedrock: LocalBedrock) -> str:
    """What local-bedrock saw: the tools the agent offered its model and the call the script made."""
    requests = [r["body"] for r in bedrock.received]
    offered = sorted(t["toolSpec"]["name"] for t in requests[0].get("toolConfig", {}).get("tools", []))
    uses = [
        block["toolUse"] for body in requests for m in body["messages"] for block in m["content"] if "toolUse" in block
    ]
    called = (
        f"; it called {uses[0]['name']}({json.dumps(uses[0]['input'])}), which the agent ran via the gateway"
        if uses
        else ""
    )
    return f"(the scripted model was offered {', '.join(offered)}{called})"


def run_deployed(directory: Path, out=sys.stdout, timeout: float = 120) -> None:
    """The deployed path on one machine: runtime config from local AppConfig, SigV4 to an IAM-mode gateway."""
    from .local_runtime_config import serving_appconfig

    scope = directory.name.replace("-", "_")
    logs = directory / "tmp"
    env = {**os.environ, **CALLER}
    documents = {("demo", "default", "agentcore"): {"gateways": {"MyGateway": "http://localhost:8100/mcp"}}}
    mcp = ["uv", "run", "uvicorn", f"{scope}_tools.tools.server:app", "--host", "127.0.0.1", "--port", "8000"]
    gateway = ["uv", "run", "nxaws", "local-gateway", "--auth", "iam"]
    out.write("\nDeployed path on one machine: AppConfig runtime config + an IAM-mode gateway verifying SigV4\n")
    with (
        serving_appconfig(documents) as appconfig,
        (logs / "mcp.log").open("wb") as mcp_log,
        (logs / "gateway-iam.log").open("wb") as gateway_log,
    ):
        procs = [
            subprocess.Popen(mcp, cwd=directory / "packages/tools", env=env, stdout=mcp_log, stderr=subprocess.STDOUT,
                             start_new_session=True),
            subprocess.Popen(gateway, cwd=directory / "packages/my-gateway", env=env, stdout=gateway_log,
                             stderr=subprocess.STDOUT, start_new_session=True),
        ]  # fmt: skip
        try:
            _wait("http://127.0.0.1:8000/mcp", procs[0], timeout)
            _wait("http://127.0.0.1:8100/mcp", procs[1], timeout)
            client_env = env | {"RUNTIME_CONFIG_APP_ID": "demo", "AWS_ENDPOINT_URL_APPCONFIGDATA": appconfig.url}
            for script, extra in ((DEPLOYED_SCRIPT, {}), (WRONG_KEY_SCRIPT, {"AWS_SECRET_ACCESS_KEY": "wrong"})):
                code = script.format(module=f"{scope}_agent_connection")
                result = subprocess.run(["uv", "run", "python", "-c", code], cwd=directory, env=client_env | extra,
                                        text=True, capture_output=True, timeout=timeout, check=False)  # fmt: skip
                if result.returncode != 0:
                    raise UserError(f"The gateway client failed:\n{result.stderr[-2000:]}")
                out.write(result.stdout)
        finally:
            for proc in procs:
                kill_group(proc)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nxaws demo", description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default="nxaws-demo", help="where to build it (must not exist)")
    args = parser.parse_args(argv)
    directory = Path(args.directory).resolve()
    build(directory)
    run(directory)
    run_deployed(directory)
    print(f"\nThe workspace is in {directory}. Next: cd {directory.name} && npx nx run "
          f"{directory.name.replace('-', '_')}.agents:agent-dev")  # fmt: skip
    return 0
