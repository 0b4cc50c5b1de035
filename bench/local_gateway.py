"""Benchmark the local gateway against calling its targets directly, all in one run.

``uv run python bench/local_gateway.py [--seconds 3] [--concurrency 16]``

Starts two real MCP servers (official SDK, streamable HTTP, stateless JSON) and the gateway, each as
its own process so none shares a GIL with the load generator, then prints p50/p95 latency of
``tools/call`` and ``tools/list`` direct vs through the gateway, and throughput with N concurrent
callers. The load generator is raw JSON-RPC over one keep-alive ``httpx.AsyncClient`` per caller, so
the client is not what is being measured.
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
from collections.abc import Iterator
from pathlib import Path

import httpx

HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
CALL = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "add", "arguments": {"a": 2, "b": 3}}}
LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}


def serve_target(name: str, port: int) -> None:
    """Child process: a FastMCP server with a few tools, stateless JSON as generated projects use."""
    import uvicorn
    from mcp.server.fastmcp import FastMCP

    server = FastMCP(name, stateless_http=True, json_response=True, log_level="WARNING")

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


def _gateway_call(message: dict, target: str) -> dict:
    return {**message, "params": {**message["params"], "name": f"{target}___{message['params']['name']}"}}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(urls: dict[str, str], pids: dict[str, int], seconds: float, concurrency: int) -> dict:
    """All measurements; direct and gateway runs are interleaved so drift on a shared machine hits both."""
    direct_a, direct_b, gateway = urls["alpha"], urls["beta"], urls["gateway"]
    results: dict[str, list[float]] = {k: [] for k in ("call_direct", "call_gw", "list_a", "list_b", "list_gw")}
    cpu = {"gateway": 0.0, "alpha": 0.0}
    rounds = 4
    for _ in range(rounds):
        results["call_direct"] += await _latencies(direct_a, CALL, seconds / rounds)
        before = {name: _cpu_seconds(pids[name]) for name in cpu}
        results["call_gw"] += await _latencies(gateway, _gateway_call(CALL, "alpha"), seconds / rounds)
        for name in cpu:
            cpu[name] += _cpu_seconds(pids[name]) - before[name]
        results["list_a"] += await _latencies(direct_a, LIST, seconds / rounds / 2)
        results["list_b"] += await _latencies(direct_b, LIST, seconds / rounds / 2)
        results["list_gw"] += await _latencies(gateway, LIST, seconds / rounds)
    rps_direct = await _throughput(direct_a, CALL, seconds, concurrency)
    rps_gw = await _throughput(gateway, _gateway_call(CALL, "alpha"), seconds, concurrency)
    calls = len(results["call_gw"]) + 20 * rounds  # the warm-up calls used CPU too
    cpu_ms = {name: used / calls * 1000 for name, used in cpu.items()}
    return {"latency": results, "rps_direct": rps_direct, "rps_gw": rps_gw, "cpu_ms": cpu_ms}


def _pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1]


def report(result: dict, concurrency: int) -> str:
    lat = result["latency"]
    p = {k: (_pct(v, 50), _pct(v, 95), len(v)) for k, v in lat.items()}
    slowest = max(p["list_a"][0], p["list_b"][0])
    added = p["call_gw"][0] - p["call_direct"][0]
    ratio = result["rps_gw"] / result["rps_direct"]
    rows = [
        ("tools/call direct (alpha)", *p["call_direct"]),
        ("tools/call via gateway", *p["call_gw"]),
        ("tools/list direct (alpha)", *p["list_a"]),
        ("tools/list direct (beta)", *p["list_b"]),
        ("tools/list via gateway (both)", *p["list_gw"]),
    ]
    lines = [f"{'measurement':32} {'p50 ms':>8} {'p95 ms':>8} {'n':>6}"]
    lines += [f"{name:32} {p50:8.2f} {p95:8.2f} {n:6d}" for name, p50, p95, n in rows]
    lines += [
        "",
        f"added latency, tools/call p50:      {added:6.2f} ms   (target <= 1 ms)     {_ok(added <= 1.0)}",
        f"gateway list / slowest target p50:  {p['list_gw'][0] / slowest:6.2f} x    (target <= 1.2 x)    "
        f"{_ok(p['list_gw'][0] <= 1.2 * slowest)}",
        f"  (for context: sum of both targets' p50 = {p['list_a'][0] + p['list_b'][0]:.2f} ms; with fewer free cores"
        " than busy processes the two targets' CPU work serializes whatever the gateway does)",
        f"CPU per tools/call: gateway {result['cpu_ms']['gateway']:.2f} ms, target {result['cpu_ms']['alpha']:.2f} ms"
        " (wall-clock numbers above include the machine's load; CPU time is steadier)",
        f"throughput, {concurrency} callers: direct {result['rps_direct']:7.0f}/s, gateway {result['rps_gw']:7.0f}/s"
        f" = {ratio:4.2f} x   (target >= 0.75 x)   {_ok(ratio >= 0.75)}",
    ]
    return "\n".join(lines)


def _ok(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serve-target", nargs=2, metavar=("NAME", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_target:
        serve_target(args.serve_target[0], int(args.serve_target[1]))
        return 0
    ports = {name: _free_port() for name in ("alpha", "beta", "gateway")}
    urls = {name: f"http://127.0.0.1:{port}/mcp" for name, port in ports.items()}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        config = Path(tmp, "local-gateway.json")
        targets = [{"name": n, "url": urls[n]} for n in ("alpha", "beta")]
        config.write_text(json.dumps({"name": "bench-gateway", "port": ports["gateway"], "targets": targets}))
        procs = {}
        for name in ("alpha", "beta"):
            procs[name] = stack.enter_context(
                _process([sys.executable, __file__, "--serve-target", name, str(ports[name])])
            )
            _wait_for(urls[name], procs[name])
        gw_args = [sys.executable, "-m", "nxaws.local_gateway", str(config), "--log-level", "warning"]
        procs["gateway"] = stack.enter_context(_process(gw_args))
        _wait_for(urls["gateway"], procs["gateway"])
        pids = {name: proc.pid for name, proc in procs.items()}
        result = asyncio.run(measure(urls, pids, args.seconds, args.concurrency))
    print(report(result, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
