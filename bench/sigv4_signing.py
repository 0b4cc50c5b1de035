"""How long SigV4HTTPXAuth takes to sign one MCP tools/call request (target: at most 0.2 ms).

Renders the agent_connection library into a temporary package, then times, in the same run:
  baseline  building the same httpx request with no auth
  signed    building it and running SigV4HTTPXAuth's auth flow, with credentials frozen per request
            from a boto3 session holding static credentials (as the emitted transport does)

    uv run python bench/sigv4_signing.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from pathlib import Path

import boto3
import httpx
from timing import best_mean_us

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from runtime.rendered import render_package  # noqa: E402

URL = "https://gw-abc123.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"
BODY = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": "math___add", "arguments": {"a": 40, "b": 2}},
    }
).encode()
HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2025-06-18",
    "mcp-session-id": "0123456789abcdef",
    "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "bench-session-0000000000000000000001",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    n = parser.parse_args().requests

    root = Path(tempfile.mkdtemp(prefix="bench-agent-connection-"))
    render_package(root, "bench_agent_connection", 8100)
    sys.path.insert(0, str(root))
    sigv4 = importlib.import_module("bench_agent_connection.core.auth.sigv4")
    session = boto3.Session(
        aws_access_key_id="AKIABENCH0000000001", aws_secret_access_key="bench-secret", region_name="us-east-1"
    )
    auth = sigv4.SigV4HTTPXAuth(session.get_credentials(), "bedrock-agentcore", "us-east-1")

    def build() -> httpx.Request:
        return httpx.Request("POST", URL, content=BODY, headers=HEADERS)

    def build_and_sign() -> httpx.Request:
        return next(auth.auth_flow(build()))

    signed = build_and_sign()
    assert signed.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIABENCH0000000001/")

    baseline = best_mean_us(build, n, warmup=200)
    total = best_mean_us(build_and_sign, n, warmup=200)
    rows = [
        ("build request (baseline)", baseline, 1.0),
        ("build + SigV4HTTPXAuth", total, total / baseline),
        ("signing alone (difference)", total - baseline, (total - baseline) / baseline),
    ]
    print(f"{'case':<30} {'µs/request':>12} {'× baseline':>12}")
    for name, micros, ratio in rows:
        print(f"{name:<30} {micros:>12.1f} {ratio:>12.1f}")
    verdict = "meets" if total - baseline <= 200 else "MISSES"
    print(f"\n{n} requests × 5 rounds, best round; signing {verdict} the 200 µs target.")


if __name__ == "__main__":
    main()
