"""A seeded generator of HTTP requests a gateway must survive: mostly near-valid JSON-RPC, some plain garbage.

Same seed, same requests, so a failure found once can be replayed. Every kind of input issue 10 found
broken is in the mix (deep nesting, lone surrogates, non-ASCII session ids, URL-shaped Hosts, repeated
Origins), alongside truncated and bit-flipped bodies, odd ids and params, batches, wrong verbs and paths.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SESSION = b"x-amzn-bedrock-agentcore-runtime-session-id"
METHODS = ["initialize", "ping", "tools/list", "tools/call", "notifications/initialized", "resources/list", ""]
HOSTS = [b"127.0.0.1", b"localhost", b"evil.example", b"evil.example@127.0.0.1", b"127.0.0.1/evil", b"[::1]", b""]
ORIGINS = [b"http://localhost", b"null", b"http://evil.example", b"http://127.0.0.1:1/x", b"javascript:alert(1)"]


@dataclass(frozen=True)
class FuzzedRequest:
    method: str
    path: str
    headers: list[tuple[bytes, bytes]]
    body: bytes


def fuzzed_requests(seed: int, count: int, tools: list[str]) -> Iterator[FuzzedRequest]:
    """``count`` requests from ``seed``; ``tools`` are names worth calling (the rest are made up)."""
    rng = random.Random(seed)
    for _ in range(count):
        verb = "POST" if rng.random() < 0.9 else rng.choice(["GET", "DELETE", "PUT", "PATCH", "OPTIONS"])
        path = "/mcp" if rng.random() < 0.9 else rng.choice(["/mcp/", "/", "/mcp?x=1", "/MCP", "/mcp/../x", "/%ff"])
        yield FuzzedRequest(verb, path, _headers(rng), _body(rng, tools))


def _body(rng: random.Random, tools: list[str]) -> bytes:
    kind = rng.random()
    if kind < 0.6:
        return json.dumps(_message(rng, tools)).encode()
    if kind < 0.7:
        batch = [_message(rng, tools) if rng.random() < 0.9 else _value(rng, 1) for _ in range(rng.randint(1, 8))]
        return json.dumps(batch).encode()
    if kind < 0.8:
        return _mutated(rng, json.dumps(_message(rng, tools)).encode())
    if kind < 0.87:
        depth = rng.choice([10, 500, 990, 1000, 3000])
        opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}")])
        return opener * depth + (closer * depth if rng.random() < 0.5 else b"")
    if kind < 0.94:
        return rng.randbytes(rng.randint(0, 200))
    if kind < 0.99:
        return b""
    return b" " * (4 * 1024 * 1024 + 1)  # one byte over the body limit


def _message(rng: random.Random, tools: list[str]) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0" if rng.random() < 0.9 else rng.choice(["1.0", 2, None, ""])}
    if rng.random() < 0.85:
        message["id"] = rng.choice([1, 0, -1, 10**30, "a", "\ud800", 1.5, True, None, [1], {"a": 1}])
    message["method"] = rng.choice(METHODS) if rng.random() < 0.85 else _value(rng, 1)
    if rng.random() < 0.8:
        name = rng.choice(tools) if rng.random() < 0.7 else _text(rng)
        params = {"name": name, "arguments": _value(rng, 0) if rng.random() < 0.3 else _arguments(rng)}
        if message["method"] == "initialize":
            params = {"protocolVersion": rng.choice(["2025-06-18", "1999-01-01", 7]), "capabilities": {}}
        message["params"] = params if rng.random() < 0.9 else _value(rng, 1)
    return message


def _arguments(rng: random.Random) -> dict[str, Any]:
    return {rng.choice(["a", "b", "key", "text", "\ud800", ""]): _value(rng, 1) for _ in range(rng.randint(0, 3))}


def _value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(8 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, 1, -(2**63), 2**64, 10**100])
    if kind == 3:
        return rng.choice([0.5, -1e308, 1e308, float("inf"), float("nan")])
    if kind in (4, 5):
        return _text(rng)
    if kind == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _text(rng: random.Random) -> str:
    return rng.choice(
        [
            "",
            "".join(rng.choices(string.printable, k=rng.randint(1, 20))),
            "caf\xe9 \u2603 \U0001f600",
            "\ud800",
            "a\udfffb",
            "\x00",
            "x" * 5000,
            "math___add___x",
        ]
    )


def _mutated(rng: random.Random, body: bytes) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:
        return body[: rng.randint(0, len(body))]
    data = bytearray(body)
    if choice == 1:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    at = rng.randrange(len(data))
    return bytes(data[:at] + rng.randbytes(rng.randint(1, 8)) + data[at:])


def _headers(rng: random.Random) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-type", b"application/json"), (b"accept", b"application/json, text/event-stream")]
    if rng.random() < 0.3:
        headers.append((SESSION, _header_value(rng)))
    if rng.random() < 0.05:
        headers += [(SESSION, b"one"), (SESSION, b"two")]
    if rng.random() < 0.1:
        headers += [(b"origin", rng.choice(ORIGINS)) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.1:
        headers.append((b"host", rng.choice(HOSTS)))
    if rng.random() < 0.1:
        headers.append((rng.choice([b"mcp-session-id", b"mcp-protocol-version", b"authorization"]), _header_value(rng)))
    return headers


def _header_value(rng: random.Random) -> bytes:
    """Printable bytes, Latin-1 included (what an HTTP client may send), never CR/LF."""
    alphabet = [*range(0x20, 0x7F), *range(0xA0, 0x100)]
    return bytes(rng.choices(alphabet, k=rng.choice([0, 1, 36, 300]))).strip(b" ")  # h11 refuses edge spaces
