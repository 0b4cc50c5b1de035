"""Benchmark the local gateway against calling its targets directly, all in one run.

``uv run python bench/local_gateway.py [--seconds 3] [--concurrency 16]``

Starts real MCP servers (official SDK, streamable HTTP, stateless): two answering in JSON (as generated
projects do) and one in SSE (FastMCP's default, so most servers in the wild), and gateways, each its own
process so none shares a GIL with the load generator:

- ``gw`` (targets alpha and beta) and ``gw-sse`` (target sse): the gateway as ``nxaws local-gateway`` runs;
- ``gw-httpx``: the same code on httpx's own pooled transport instead of ``KeepAliveTransport``, the
  measurement that decides whether the hand-written transport earns its keep (it must save more than 0.5 ms
  per call);
- ``gw-policies`` (alpha and beta): ``gw`` in a gateway project enforcing Cedar policies (the generator's
  permit-all, a forbid for another principal on one tool, a forbid on ``context.input.a``), so the rows say what
  policies add to a call and a listing end to end.

Then the in-process cost of the decisions themselves (``policy_decisions.py``: per ``tools/call`` and per
``tools/list`` of 100 tools).

Prints p50/p95 latency of ``tools/call`` and ``tools/list`` direct and
through each gateway, with ratios against the direct baseline of the same run, gateway CPU per call, and
throughput with N concurrent callers. The load generator is raw JSON-RPC over keep-alive ``httpx``
clients, so the client is not what is being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
CALL = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}
LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
TARGETS = {"alpha": "json", "beta": "json", "sse": "sse"}
GATEWAYS = {  # name: (targets, variant)
    "gw": (("alpha", "beta"), "production"),
    "gw-sse": (("sse",), "production"),
    "gw-httpx": (("alpha", "sse"), "httpx"),
    "gw-policies": (("alpha", "beta"), "policies"),
}
POLICIES = {  # what gw-policies enforces besides the generator's permit-all (the callers are its default principal)
    "forbid-b-echo": 'forbid (principal == AgentCore::IamEntity::"arn:aws:iam::123456789012:role/AgentB", '
    'action == AgentCore::Action::"alpha___echo", resource);',
    "forbid-big-adds": 'forbid (principal, action == AgentCore::Action::"alpha___add", resource) '
    "when { context.input.a > 1000 };",
}
PERMIT_ALL = Path(__file__).resolve().parents[1] / "src/nxaws/generators/agentcore_gateway/files/cedar/iam/policies"


def serve_target(name: str, port: int, mode: str) -> None:
    """Child process: a FastMCP server with a few tools, stateless, answering in JSON or in SSE."""
    import uvicorn
    from mcp.server.fastmcp import FastMCP

    server = FastMCP(name, stateless_http=True, json_response=mode == "json", log_level="WARNING")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @server.tool()
    def upper(text: str) -> str:
        """Upper-case a text."""
        return text.upper()

    @server.tool()
    def echo(text: str) -> str:
        """Return the text."""
        return text

    uvicorn.run(server.streamable_http_app(), host="127.0.0.1", port=port, log_level="warning")


def serve_gateway(config_path: str, variant: str) -> None:
    """Child process: the gateway as the CLI runs it, on httpx's own transport instead of ours."""
    import logging

    from nxaws.local_gateway import create_app, load_config
    from nxaws.local_gateway.server import serve

    logging.basicConfig(level=logging.WARNING)
    config = load_config(config_path)
    assert variant == "httpx", variant
    app = create_app(config, transport=httpx.AsyncHTTPTransport)
    asyncio.run(serve(app, config, "127.0.0.1", config.port, "warning"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(url, json=LIST, headers=HEADERS, timeout=1)
            return
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def _process(args: list[str]) -> Iterator[subprocess.Popen]:
    """A child in its own process group, killed (group and all) whatever happens."""
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


async def _latencies(url: str, message: dict, seconds: float) -> list[float]:
    """Sequential requests for ``seconds``; each latency in ms."""
    body = json.dumps(message).encode()
    samples: list[float] = []
    async with httpx.AsyncClient(headers=HEADERS, timeout=10) as client:
        for _ in range(20):  # warm the connection and both processes
            (await client.post(url, content=body)).raise_for_status()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            started = time.perf_counter()
            response = await client.post(url, content=body)
            samples.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return samples


async def _fan_out_latencies(urls: list[str], message: dict, seconds: float) -> list[float]:
    """What a gateway's listing costs at best: the same request to every target at once, until all answered."""
    body = json.dumps(message).encode()
    samples: list[float] = []
    clients = [httpx.AsyncClient(headers=HEADERS, timeout=10) for _ in urls]
    try:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            started = time.perf_counter()
            await asyncio.gather(*(c.post(u, content=body) for c, u in zip(clients, urls, strict=True)))
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return samples[20:]


async def _throughput(url: str, message: dict, seconds: float, concurrency: int) -> float:
    """Calls per second completed by ``concurrency`` callers, each with its own keep-alive connection."""
    body = json.dumps(message).encode()
    done = 0

    async def caller(client: httpx.AsyncClient, end: float) -> None:
        nonlocal done
        while time.perf_counter() < end:
            (await client.post(url, content=body)).raise_for_status()
            done += 1

    clients = [httpx.AsyncClient(headers=HEADERS, timeout=30) for _ in range(concurrency)]
    try:
        await asyncio.gather(*(c.post(url, content=body) for c in clients))
        started = time.perf_counter()
        await asyncio.gather(*(caller(c, started + seconds) for c in clients))
        return done / (time.perf_counter() - started)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))


def _gateway_call(target: str) -> dict:
    return {**CALL, "params": {**CALL["params"], "name": f"{target}___add"}}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# (row, url key, message, target whose call it is, gateway whose CPU is measured)
CALL_ROWS = [
    ("call json: direct (alpha)", "alpha", CALL, None),
    ("call json: gateway", "gw", _gateway_call("alpha"), "gw"),
    ("call json: gateway, httpx transport", "gw-httpx", _gateway_call("alpha"), "gw-httpx"),
    ("call json: gateway, policies enforced", "gw-policies", _gateway_call("alpha"), "gw-policies"),
    ("call sse: direct (sse)", "sse", CALL, None),
    ("call sse: gateway", "gw-sse", _gateway_call("sse"), "gw-sse"),
    ("call sse: gateway, httpx transport", "gw-httpx", _gateway_call("sse"), "gw-httpx"),
]
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
# ping is answered by the gateway itself: its own HTTP cost, no target involved
PING_ROWS = [("ping: direct (alpha)", "alpha"), ("ping: gateway (answers itself)", "gw")]
LIST_ROWS = [
    ("list: direct (alpha)", "alpha"),
    ("list: direct (beta)", "beta"),
    ("list: gateway (alpha+beta)", "gw"),
    ("list: gateway, policies enforced", "gw-policies"),
]


async def measure(urls: dict[str, str], pids: dict[str, int], seconds: float, concurrency: int) -> dict:
    """All measurements; the rows are interleaved over rounds so drift on a shared machine hits them all."""
    latency: dict[str, list[float]] = {row[0]: [] for row in CALL_ROWS + PING_ROWS + LIST_ROWS}
    latency["list: direct to both at once"] = []
    cpu: dict[str, float] = {row[0]: 0.0 for row in CALL_ROWS if row[3]}
    list_cpu: Counter[tuple[str, str]] = Counter()
    rounds = 4
    share = seconds / rounds
    for _ in range(rounds):
        for row, key, message, gateway in CALL_ROWS:
            before = _cpu_seconds(pids[gateway]) if gateway else 0.0
            samples = await _latencies(urls[key], message, share)
            latency[row] += samples
            if gateway:
                cpu[row] += (_cpu_seconds(pids[gateway]) - before) / (len(samples) + 20)
        for row, key in PING_ROWS:
            latency[row] += await _latencies(urls[key], PING, share / 2)
        for row, key in LIST_ROWS:
            before = {name: _cpu_seconds(pids[name]) for name in ("alpha", "beta", "gw", "gw-policies")}
            samples = await _latencies(urls[key], LIST, share / 2)
            latency[row] += samples
            for name, used in before.items():
                list_cpu[(row, name)] += (_cpu_seconds(pids[name]) - used) / (len(samples) + 20)
        latency["list: direct to both at once"] += await _fan_out_latencies([urls["alpha"], urls["beta"]], LIST, share)
    rps = {
        "json direct": await _throughput(urls["alpha"], CALL, seconds, concurrency),
        "json gateway": await _throughput(urls["gw"], _gateway_call("alpha"), seconds, concurrency),
        "sse direct": await _throughput(urls["sse"], CALL, seconds, concurrency),
        "sse gateway": await _throughput(urls["gw-sse"], _gateway_call("sse"), seconds, concurrency),
    }
    list_cpu_ms = {k: v / rounds * 1000 for k, v in list_cpu.items()}
    return {
        "latency": latency,
        "cpu_ms": {k: v / rounds * 1000 for k, v in cpu.items()},
        "rps": rps,
        "list_cpu_ms": list_cpu_ms,
    }


def _p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1]


def report(result: dict, concurrency: int, load: tuple[str, str]) -> str:
    lat, cpu, rps = result["latency"], result["cpu_ms"], result["rps"]
    p50 = {row: _p(samples, 50) for row, samples in lat.items()}
    baseline = {"call json": p50["call json: direct (alpha)"], "call sse": p50["call sse: direct (sse)"]}
    baseline["ping"] = p50["ping: direct (alpha)"]
    baseline["list"] = max(p50["list: direct (alpha)"], p50["list: direct (beta)"])
    lines = [f"{'measurement':38} {'p50 ms':>7} {'p95 ms':>7} {'n':>6} {'x base':>7} {'+ ms':>6} {'gw CPU ms':>9}"]
    for row, samples in lat.items():
        base = baseline[row.split(":")[0]]
        extra = f"{cpu[row]:9.2f}" if row in cpu else ""
        lines.append(
            f"{row:38} {p50[row]:7.2f} {_p(samples, 95):7.2f} {len(samples):6d} {p50[row] / base:7.2f}"
            f" {p50[row] - base:6.2f} {extra}"
        )
    added = {kind: p50[f"call {kind}: gateway"] - baseline[f"call {kind}"] for kind in ("json", "sse")}
    ratio = {kind: rps[f"{kind} gateway"] / rps[f"{kind} direct"] for kind in ("json", "sse")}
    listed = p50["list: gateway (alpha+beta)"]
    lines += [
        "",
        f"(x base: against the direct call of the same kind; lists against the slowest single target; load {load[0]}"
        f" at start, {load[1]} at end)",
        f"added p50, tools/call json: {added['json']:5.2f} ms, sse: {added['sse']:5.2f} ms"
        f"   (target <= 1 ms)   {_ok(max(added.values()) <= 1.0)}",
        f"throughput, {concurrency} callers, gateway / direct: json {ratio['json']:.2f} x"
        f" ({rps['json gateway']:.0f}/s vs {rps['json direct']:.0f}/s), sse {ratio['sse']:.2f} x"
        f" ({rps['sse gateway']:.0f}/s vs {rps['sse direct']:.0f}/s)   (target >= 0.9 x)"
        f"   {_ok(min(ratio.values()) >= 0.9)}",
        f"tools/list via gateway / slowest target: {listed / baseline['list']:.2f} x   (target <= 1.2 x)"
        f"   {_ok(listed <= 1.2 * baseline['list'])}; / both targets asked at once:"
        f" {listed / p50['list: direct to both at once']:.2f} x",
    ]
    lc = result["list_cpu_ms"]
    gw_row = "list: gateway (alpha+beta)"
    lines.append(
        f"CPU per tools/list: alpha alone {lc[('list: direct (alpha)', 'alpha')]:.2f} ms; through the gateway: gateway"
        f" {lc[(gw_row, 'gw')]:.2f} ms + targets {lc[(gw_row, 'alpha')] + lc[(gw_row, 'beta')]:.2f} ms"
    )
    for kind in ("json", "sse"):
        lines.append(
            f"decision, {kind} target: httpx's transport instead of ours costs"
            f" {_delta(p50, cpu, kind, 'httpx transport')} (ours stays while it saves > 0.5 ms)"
        )
    policy_row = "list: gateway, policies enforced"
    lines += [
        f"policies enforced, per tools/call: {_delta(p50, cpu, 'json', 'policies enforced')}",
        f"policies enforced, per tools/list (6 tools): {p50[policy_row] - p50[gw_row]:+.2f} ms p50,"
        f" {lc[(policy_row, 'gw-policies')] - lc[(gw_row, 'gw')]:+.2f} ms gateway CPU",
    ]
    return "\n".join(lines)


def _delta(p50: dict[str, float], cpu: dict[str, float], kind: str, variant: str) -> str:
    ours, other = f"call {kind}: gateway", f"call {kind}: gateway, {variant}"
    return f"{p50[other] - p50[ours]:+.2f} ms p50, {cpu[other] - cpu[ours]:+.2f} ms CPU"


def _ok(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve-target", nargs=3, metavar=("NAME", "PORT", "MODE"), help=argparse.SUPPRESS)
    parser.add_argument("--serve-gateway", nargs=2, metavar=("CONFIG", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_target:
        serve_target(args.serve_target[0], int(args.serve_target[1]), args.serve_target[2])
        return 0
    if args.serve_gateway:
        serve_gateway(*args.serve_gateway)
        return 0
    ports = {name: _free_port() for name in [*TARGETS, *GATEWAYS]}
    urls = {name: f"http://127.0.0.1:{port}/mcp" for name, port in ports.items()}
    load_before = _load()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        procs = {}
        for name, mode in TARGETS.items():
            args_ = [sys.executable, __file__, "--serve-target", name, str(ports[name]), mode]
            procs[name] = stack.enter_context(_process(args_))
        for name, (targets, variant) in GATEWAYS.items():
            config = _gateway_project(Path(tmp, name), variant == "policies")
            entries = [{"name": t, "url": urls[t]} for t in targets]
            config.write_text(json.dumps({"name": f"bench-{name}", "port": ports[name], "targets": entries}))
            if variant in ("production", "policies"):
                args_ = [sys.executable, "-m", "nxaws.local_gateway", str(config), "--log-level", "warning"]
            else:
                args_ = [sys.executable, __file__, "--serve-gateway", str(config), variant]
            procs[name] = stack.enter_context(_process(args_))
        for name, proc in procs.items():
            _wait_for(urls[name], proc)
        allowed = httpx.post(urls["gw-policies"], json=_gateway_call("alpha"), headers=HEADERS, timeout=10).json()
        assert "result" in allowed, f"gw-policies must allow the measured call: {allowed}"
        pids = {name: proc.pid for name, proc in procs.items()}
        result = asyncio.run(measure(urls, pids, args.seconds, args.concurrency))
    print(report(result, args.concurrency, (load_before, _load())))
    from policy_decisions import decision_rows, table  # this folder is on sys.path: the script's own

    load_before = _load()
    print(f"\nCedar decisions in process (µs, best of 5 rounds):\n{table(decision_rows(2000))}")
    print(f"(load {load_before} at start, {_load()} at end)")
    return 0


def _gateway_project(folder: Path, policies: bool) -> Path:
    """A gateway project folder; with ``policies`` its ``policies/`` holds permit-all and :data:`POLICIES`."""
    (folder / "policies").mkdir(parents=True)
    if policies:
        (folder / "policies/permit-all.cedar").write_text((PERMIT_ALL / "permit-all.cedar").read_text())
        for name, text in POLICIES.items():
            (folder / "policies" / f"{name}.cedar").write_text(text)
    return folder / "local-gateway.json"


if __name__ == "__main__":
    raise SystemExit(main())
