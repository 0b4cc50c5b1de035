"""The gateway against real MCP servers on 127.0.0.1, driven by the official MCP client and raw JSON-RPC."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest
from support.mcp_servers import SESSION_HEADER, math_server, serving
from support.procs import free_port

from .conftest import ScriptedTarget, gateway, mcp_client, rpc, serving_app, text_server

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def two_targets() -> Iterator[dict]:
    """math (add, whoami) and text (upper, fail, headers) behind one gateway."""
    calls: list = []
    seen: list = []
    with (
        serving(math_server(calls=calls)) as math,
        serving(text_server(seen)) as text,
        gateway(("math", math.url), ("text", text.url)) as gw,
    ):
        yield {"gw": gw.url, "math": math.url, "text": text.url, "calls": calls, "seen": seen}


def call(name: str, arguments: dict, msg_id: int = 1) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


def test_tools_of_both_targets_are_prefixed_and_otherwise_unchanged(two_targets: dict) -> None:
    async def go() -> tuple[list, list, list]:
        async with (
            mcp_client(two_targets["gw"]) as gw,
            mcp_client(two_targets["math"]) as math,
            mcp_client(two_targets["text"]) as text,
        ):
            return (await gw.list_tools()).tools, (await math.list_tools()).tools, (await text.list_tools()).tools

    via_gateway, math, text = anyio.run(go)
    assert [t.name for t in via_gateway] == [f"math___{t.name}" for t in math] + [f"text___{t.name}" for t in text]
    for proxied, original in zip(via_gateway, math + text, strict=True):
        assert proxied.model_dump(exclude={"name"}) == original.model_dump(exclude={"name"})


@pytest.mark.parametrize(
    ("target", "tool", "arguments"),
    [("math", "add", {"a": 2, "b": 40}), ("text", "upper", {"text": "hi"}), ("text", "fail", {"why": "no"})],
)
def test_results_pass_through_unchanged(two_targets: dict, target: str, tool: str, arguments: dict) -> None:
    direct = rpc(two_targets[target], call(tool, arguments)).json()
    proxied = rpc(two_targets["gw"], call(f"{target}___{tool}", arguments)).json()
    assert proxied == direct
    assert "structuredContent" in proxied["result"] or proxied["result"]["isError"] is True


def test_mcp_client_calls_through_the_gateway(two_targets: dict) -> None:
    async def go():
        async with mcp_client(two_targets["gw"]) as session:
            return await session.call_tool("math___add", {"a": 2, "b": 3}), await session.call_tool(
                "text___fail", {"why": "x"}
            )

    added, failed = anyio.run(go)
    assert (added.content[0].text, added.structuredContent, added.isError) == ("5", {"result": 5}, False)
    assert failed.isError is True and "refused: x" in failed.content[0].text


def test_each_call_reaches_its_target_with_its_own_session_id_under_concurrency(two_targets: dict) -> None:
    calls = two_targets["calls"]
    calls.clear()

    async def one(client: httpx.AsyncClient, i: int) -> int:
        headers = {SESSION_HEADER: f"session-{i}"} if i % 5 else {}
        response = await client.post(
            two_targets["gw"], json=call("math___add", {"a": i, "b": 1000}, i), headers=headers
        )
        return response.json()["result"]["structuredContent"]["result"]

    async def go() -> list[int]:
        accept = {"accept": "application/json, text/event-stream"}
        async with httpx.AsyncClient(headers=accept, timeout=30) as client:
            return await asyncio.gather(*(one(client, i) for i in range(60)))

    assert anyio.run(go) == [i + 1000 for i in range(60)]
    assert sorted(calls, key=lambda c: c[1][0]) == [
        ("add", (i, 1000), f"session-{i}" if i % 5 else None) for i in range(60)
    ]


def test_caller_credentials_never_reach_the_target(two_targets: dict) -> None:
    seen = two_targets["seen"]
    seen.clear()
    secrets = {"Authorization": "Bearer t0k", "Cookie": "sid=s3cret", "X-Amz-Security-Token": "tok", "X-Api-Key": "k"}
    response = rpc(two_targets["gw"], call("text___headers", {}), headers={**secrets, SESSION_HEADER: "abc"})
    assert response.json()["result"]["structuredContent"] == {"result": "abc"}
    (received,) = seen
    assert not {k.lower() for k in secrets} & set(received), received


def test_a_target_that_is_down_leaves_the_others_working(caplog: pytest.LogCaptureFixture) -> None:
    dead = f"http://127.0.0.1:{free_port()}/mcp"
    with serving(math_server()) as math, gateway(("math", math.url), ("gone", dead)) as gw:
        with caplog.at_level(logging.WARNING, logger="nxaws.local_gateway"):
            tools = rpc(gw.url, LIST).json()["result"]["tools"]
        result = rpc(gw.url, call("gone___add", {"a": 1, "b": 2})).json()["result"]
        still = rpc(gw.url, call("math___add", {"a": 1, "b": 2})).json()["result"]
    assert [t["name"] for t in tools] == ["math___add", "math___whoami"]
    assert "tools/list leaves out target 'gone'" in caplog.text
    assert result["isError"] is True
    assert "gone___add" in result["content"][0]["text"] and "'gone'" in result["content"][0]["text"]
    assert "connection refused" in result["content"][0]["text"]
    assert still["structuredContent"] == {"result": 3}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers: a hung target."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        listener.close()


def test_a_slow_target_counts_as_down_after_its_timeout(silent_port: int) -> None:
    slow = f"http://127.0.0.1:{silent_port}/mcp"
    with serving(math_server()) as math, gateway(("math", math.url), ("slow", slow), timeout=0.5) as gw:
        started = time.monotonic()
        tools = rpc(gw.url, LIST).json()["result"]["tools"]
        listed_in = time.monotonic() - started
        result = rpc(gw.url, call("slow___add", {})).json()["result"]
    assert [t["name"] for t in tools] == ["math___add", "math___whoami"]
    assert 0.4 < listed_in < 3
    assert result["isError"] is True and "no answer within 0.5 s" in result["content"][0]["text"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, -32700),
        (b"\xff\xfe", 400, -32700),
        (b'{"id": 1, "method": "ping"}', 400, -32600),
        (b'{"jsonrpc": "2.0", "id": 1, "method": 7}', 200, -32600),
        (b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "ping"}', 400, -32600),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": [1]}', 200, -32602),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {}}', 200, -32602),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "resources/list"}', 200, -32601),
        (b"[]", 400, -32600),
        (b"42", 400, -32600),
    ],
)
def test_malformed_json_rpc_gets_a_json_rpc_error(two_targets: dict, body: bytes, status: int, code: int) -> None:
    response = rpc(two_targets["gw"], body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert rpc(two_targets["gw"], {"jsonrpc": "2.0", "id": 2, "method": "ping"}).json()["result"] == {}


def test_notifications_batches_and_other_http_methods(two_targets: dict) -> None:
    url = two_targets["gw"]
    assert rpc(url, {"jsonrpc": "2.0", "method": "notifications/initialized"}).status_code == 202
    assert rpc(url, {"jsonrpc": "2.0", "id": 9, "result": {}}).status_code == 202
    batch = rpc(url, [call("math___add", {"a": 1, "b": 1}, 1), {"jsonrpc": "2.0", "method": "x"}, LIST | {"id": 2}])
    assert [m["id"] for m in batch.json()] == [1, 2]
    assert httpx.get(url).status_code == 405
    assert httpx.delete(url).status_code == 405
    assert httpx.post(url.replace("/mcp", "/other"), json=LIST).status_code == 404
    assert rpc(url, b" " * (4 * 1024 * 1024 + 1)).status_code == 413


def test_unknown_tool_is_an_error_naming_it(two_targets: dict) -> None:
    for name in ("nope", "math___", "mathadd", "other___add"):
        error = rpc(two_targets["gw"], call(name, {})).json()["error"]
        assert error == {"code": -32602, "message": f"Unknown tool: {name}"}
    upstream = rpc(two_targets["gw"], call("math___nope", {})).json()["result"]
    assert upstream["isError"] is True and "nope" in upstream["content"][0]["text"]


def test_server_discover_is_method_not_found_so_modern_clients_fall_back(two_targets: dict) -> None:
    """What mcp 2.x ``Client(mode="auto")`` does: probe ``server/discover``, then fall back to initialize."""
    url = two_targets["gw"]
    probe = rpc(
        url, {"jsonrpc": "2.0", "id": 0, "method": "server/discover", "params": {}}, {"mcp-method": "server/discover"}
    )
    assert probe.status_code == 200 and probe.json()["error"]["code"] == -32601
    init = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "c", "version": "1"}}
    answer = rpc(url, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init}).json()["result"]
    assert answer["protocolVersion"] == "2025-06-18" and answer["capabilities"] == {"tools": {"listChanged": False}}
    future = rpc(
        url, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init | {"protocolVersion": "2099-01-01"}}
    )
    assert future.json()["result"]["protocolVersion"] == "2025-11-25"


def test_upstream_pages_and_sse_answers_are_followed() -> None:
    paged = ScriptedTarget(tools=5, page=2, sse=True)
    with serving_app(paged) as target, gateway(("paged", target.url)) as gw:
        tools = rpc(gw.url, LIST).json()["result"]
        result = rpc(gw.url, call("paged___t3", {"x": 1})).json()["result"]
    assert [t["name"] for t in tools["tools"]] == [f"paged___t{i}" for i in range(5)] and "nextCursor" not in tools
    assert result == {
        "content": [{"type": "text", "text": 't3 {"x": 1}'}],
        "structuredContent": {"name": "t3", "args": {"x": 1}},
        "isError": False,
        "_meta": {"k": 1},
    }


def test_targets_are_listed_concurrently() -> None:
    slow = [ScriptedTarget(tools=1, page=1, list_delay=0.5) for _ in range(3)]
    with (
        serving_app(slow[0]) as a,
        serving_app(slow[1]) as b,
        serving_app(slow[2]) as c,
        gateway(("a", a.url), ("b", b.url), ("c", c.url)) as gw,
    ):
        rpc(gw.url, LIST)  # the first list also initializes the three sessions
        started = time.monotonic()
        tools = rpc(gw.url, LIST).json()["result"]["tools"]
        elapsed = time.monotonic() - started
    assert [t["name"] for t in tools] == ["a___t0", "b___t0", "c___t0"]
    assert 0.5 <= elapsed < 1.25  # about one target's delay, not three (1.5 s)


def test_gateway_pages_its_own_list_consistently() -> None:
    with serving_app(ScriptedTarget(tools=7, page=3)) as target, gateway(("p", target.url), page_size=3) as gw:

        async def go() -> list[list[str]]:
            async with mcp_client(gw.url) as session:
                pages, cursor = [], None
                while True:
                    page = await session.list_tools(cursor=cursor)
                    pages.append([t.name for t in page.tools])
                    if not (cursor := page.nextCursor):
                        return pages

        pages = anyio.run(go)
        bad = rpc(gw.url, {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"cursor": "bogus"}})
    assert pages == [["p___t0", "p___t1", "p___t2"], ["p___t3", "p___t4", "p___t5"], ["p___t6"]]
    assert bad.json()["error"]["code"] == -32602


def test_a_stateful_target_that_forgets_its_session_is_reinitialized_once() -> None:
    stateful = ScriptedTarget(stateful=True)
    with serving_app(stateful) as target, gateway(("s", target.url)) as gw:
        first = rpc(gw.url, call("s___t0", {})).json()["result"]
        stateful.forget()

        async def burst() -> list:
            async with httpx.AsyncClient(timeout=10) as client:
                answers = await asyncio.gather(*(client.post(gw.url, json=call("s___t1", {}, i)) for i in range(10)))
                return [a.json()["result"]["isError"] for a in answers]

        after = anyio.run(burst)
        initializes = stateful.initializes
    assert first["isError"] is False and after == [False] * 10
    assert initializes == 2
    assert len(stateful.deleted) == 1  # the gateway ended its session on shutdown


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "evil.example"}, 421),
        ({"host": "evil.example:80"}, 421),
        ({"origin": "http://evil.example"}, 403),
        ({"origin": "null"}, 403),
        ({"origin": "http://localhost:3000"}, 200),
        ({"host": "localhost"}, 200),
        ({"host": "[::1]:8100"}, 200),
        ({"host": "evil.example@127.0.0.1"}, 421),  # URL syntax would read 127.0.0.1 here
        ({"host": "127.0.0.1/evil"}, 421),
        ({"host": "127.0.0.1:80:80"}, 421),
        ({"host": "127.0.0.1 evil.example"}, 421),
        ({"origin": "http://evil.example@localhost"}, 403),
        ({"origin": "http://localhost/path"}, 403),
    ],
)
def test_only_local_hosts_and_origins_are_answered(two_targets: dict, headers: dict, status: int) -> None:
    response = rpc(two_targets["gw"], {"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers)
    assert response.status_code == status
    assert ("error" in response.json()) == (status != 200)


@pytest.mark.parametrize("name", ["origin", SESSION_HEADER])
def test_a_repeated_origin_or_session_header_is_refused(two_targets: dict, name: str) -> None:
    headers = [("accept", "application/json"), (name, "http://localhost"), (name, "http://localhost:3000")]
    response = httpx.post(two_targets["gw"], json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers)
    assert response.status_code == 400 and f"more than one {name} header" in response.json()["error"]["message"]


def test_sse_targets_keep_their_connections(two_targets: dict) -> None:
    """FastMCP answers in SSE by default; reading each stream to its end lets its connection be reused."""
    clients: list = []
    app = math_server(json_response=False).streamable_http_app()

    async def recording(scope: dict, receive, send) -> None:  # noqa: ANN001
        if scope["type"] == "http":
            clients.append(scope["client"])
        await app(scope, receive, send)

    with serving_app(recording) as sse, gateway(("sse", sse.url)) as gw:
        answers = [rpc(gw.url, call("sse___add", {"a": i, "b": 1})).json()["result"] for i in range(30)]
    assert [a["structuredContent"] for a in answers] == [{"result": i + 1} for i in range(30)]
    # initialize and its notification, then 30 calls, over a connection or two (one per call before the fix)
    assert len(clients) == 32 and len(set(clients)) <= 4
