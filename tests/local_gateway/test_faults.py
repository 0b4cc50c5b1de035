"""The gateway under faults, all real processes: targets that drop sockets, freeze, flood or never stop talking.

Each test states a guarantee of issue 10: a call runs at most once, no answer is a 5xx, fan-out, replies and
queues stay bounded, a frozen target costs its timeout once, SIGTERM answers every caller and exits 0.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.mcp_servers import SESSION_HEADER
from support.procs import free_port, running, wait_for_port

from .conftest import Process, fault_target, gateway_process, rpc, vm_hwm_kib
from .fuzz import fuzzed_requests

pytestmark = pytest.mark.timeout(60)

TARGET_SERVER = Path(__file__).with_name("target_server.py")
MIB = 1024 * 1024
LIST = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


def call(name: str, arguments: dict, msg_id: int | str = 1) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


def text_of(answer: dict) -> str:
    return answer["result"]["content"][0]["text"]


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Process]]:
    """One fault target behind one gateway, as three entries with different limits, plus a real FastMCP target."""
    folder = tmp_path_factory.mktemp("faults")
    port = free_port()
    args = [sys.executable, str(TARGET_SERVER), str(port)]
    with (
        fault_target(folder / "target") as target,
        running(args, log=folder / "fastmcp.log") as fastmcp,
    ):
        wait_for_port(port, proc=fastmcp)
        targets = [
            {"name": "f", "url": target.url, "timeout": 5, "maxConcurrent": 8},
            {"name": "d", "url": target.url, "timeout": 5},  # the documented defaults
            {"name": "q", "url": target.url, "timeout": 5, "maxConcurrent": 1, "maxQueued": 5},
            {"name": "m", "url": f"http://127.0.0.1:{port}/mcp", "timeout": 5},
        ]
        with gateway_process(folder / "gateway", targets, "--batch-concurrency", "64") as gw:
            yield {"gw": gw, "target": target}


def executions_of(target: Process, key: str) -> int:
    return sum(1 for line in target.executions() if line.endswith(f" {key}"))


@pytest.mark.parametrize("tool", ["drop", "cut"])
def test_a_call_cut_off_after_delivery_runs_once_and_reports_an_unknown_outcome(faults: dict, tool: str) -> None:
    key = uuid.uuid4().hex
    response = rpc(faults["gw"].url, call(f"f___{tool}", {"key": key}))
    answer = response.json()
    assert response.status_code == 200 and answer["result"]["isError"] is True
    assert "Target 'f'" in text_of(answer) and "outcome is unknown" in text_of(answer)
    assert executions_of(faults["target"], key) == 1  # not resent on a new connection


def test_a_pooled_connection_the_target_closed_is_replaced_without_running_anything_twice(faults: dict) -> None:
    keys = [uuid.uuid4().hex for _ in range(4)]
    for key in keys:
        answer = rpc(faults["gw"].url, call("f___record", {"key": key, "close_after": 0.05})).json()
        assert answer["result"]["isError"] is False, answer
        time.sleep(0.25)  # the target has closed the idle connection by the next call
    assert [executions_of(faults["target"], key) for key in keys] == [1] * 4


def test_a_listing_cut_off_is_resent_because_it_changes_nothing(faults: dict) -> None:
    marker = faults["target"].folder / "drop-next-list"
    marker.touch()
    tools = [t["name"] for t in rpc(faults["gw"].url, LIST).json()["result"]["tools"]]
    assert not marker.exists()  # the target did drop one listing
    assert {"f___record", "d___record", "q___record", "m___add"} <= set(tools)


def _slow_batch(target: str, group: str, count: int, seconds: float) -> list[dict]:
    return [
        call(f"{target}___slow", {"key": f"{group}-{i}", "group": group, "seconds": seconds}, i) for i in range(count)
    ]


def _max_concurrency(target: Process, group: str) -> int:
    return int((target.folder / f"max-concurrency-{group}").read_text())


@pytest.mark.slow
@pytest.mark.parametrize(("target", "bound", "seconds"), [("f", 8, 0.01), ("d", 32, 0.04)])
def test_a_batch_of_1000_never_has_more_calls_in_flight_than_the_bound(
    faults: dict, target: str, bound: int, seconds: float
) -> None:
    group = f"batch-{target}-{uuid.uuid4().hex[:6]}"
    response = httpx.post(faults["gw"].url, json=_slow_batch(target, group, 1000, seconds), timeout=60)
    answers = response.json()
    assert response.status_code == 200 and sorted(a["id"] for a in answers) == list(range(1000))
    assert [a for a in answers if a["result"]["isError"]] == []
    counts = Counter(line for line in faults["target"].executions() if f" {group}-" in line)
    assert len(counts) == 1000 and set(counts.values()) == {1}  # each call ran exactly once
    assert bound // 2 <= _max_concurrency(faults["target"], group) <= bound  # never above, and really used


def test_a_full_queue_refuses_at_once_and_names_the_limit(faults: dict) -> None:
    group = f"queue-{uuid.uuid4().hex[:6]}"
    answers = httpx.post(faults["gw"].url, json=_slow_batch("q", group, 20, 0.1), timeout=30).json()
    refused = [text_of(a) for a in answers if a["result"]["isError"]]
    assert len(refused) == 14  # 1 running + 5 waiting (maxQueued) got through
    assert all("Target 'q' is busy" in text and "maxConcurrent 1" in text for text in refused), refused[0]
    ran = [line for line in faults["target"].executions() if f" {group}-" in line]
    assert len(ran) == 6 and _max_concurrency(faults["target"], group) == 1


@pytest.mark.slow
@pytest.mark.parametrize("framing", ["content-length", "sse"])
def test_a_100_mb_reply_stops_at_the_cap_and_memory_stays_bounded(faults: dict, framing: str) -> None:
    gw = faults["gw"]
    small = rpc(gw.url, call("f___big", {"mb": 2, "sse": framing == "sse"})).json()
    assert len(text_of(small)) == 2 * MIB  # a reply under the cap passes whole
    before = vm_hwm_kib(gw.proc.pid)
    answer = rpc(gw.url, call("f___big", {"mb": 100, "sse": framing == "sse"}), timeout=60).json()
    grown_mib = (vm_hwm_kib(gw.proc.pid) - before) / 1024
    assert answer["result"]["isError"] is True
    assert f"larger than {16 * MIB} bytes" in text_of(answer) and "maxReplyBytes" in text_of(answer)
    assert grown_mib < 16 + 32, f"peak RSS grew by {grown_mib:.0f} MiB for a reply capped at 16 MiB"
    assert rpc(gw.url, PING).json()["result"] == {}


def test_a_batch_shares_one_reply_limit(faults: dict) -> None:
    batch = [call("f___big", {"mb": 2}, i) for i in range(10)]  # 20 MiB in all, over the 16 MiB limit
    answers = httpx.post(faults["gw"].url, json=batch, timeout=60).json()
    whole = [a for a in answers if not a["result"]["isError"]]
    refused = [text_of(a) for a in answers if a["result"]["isError"]]
    assert 1 <= len(whole) < 8 and len(whole) + len(refused) == 10
    assert all("past 16777216 bytes" in text and "for a whole batch" in text for text in refused), refused[0]


@pytest.mark.parametrize("message", [call("f___record", {"key": "x"}), LIST], ids=["call", "list"])
def test_a_non_ascii_session_id_is_refused_naming_the_header(faults: dict, message: dict) -> None:
    response = rpc(faults["gw"].url, message, headers={SESSION_HEADER: "caf\xe9".encode("latin-1")})
    assert response.status_code == 400
    assert "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id" in response.json()["error"]["message"]


def _nested(depth: int) -> bytes:
    arguments = "[" * depth + "]" * depth
    params = f'{{"name":"m___add","arguments":{arguments}}}'
    return f'{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{params}}}'.encode()


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        (b"[" * 1000, {-32700}),
        (b"[" * 1000 + b"]" * 1000, {-32700}),
        (b'{"a":' * 1000, {-32700}),
        (_nested(500), {-32602, -32600, None}),
        (_nested(990), {-32700, -32602, None}),
        (b'{"jsonrpc":"2.0","id":1,"method":"\\ud800"}', {-32601}),
        (b'{"jsonrpc":"2.0","id":"\\ud800","method":"ping"}', {-32600}),
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\\ud800"}}', {-32602}),
        # reaches FastMCP, whose own error (-32603) is relayed
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"m___\\udfff"}}', {-32602, -32603, None}),
        (b'[{"jsonrpc":"2.0","id":"\\udc00x","method":"\\ud800"},{"jsonrpc":"2.0","id":2,"method":"ping"}]', {None}),
    ],
    ids=lambda v: v[:40].decode(errors="replace") if isinstance(v, bytes) else None,
)
def test_nesting_and_lone_surrogates_get_json_rpc_errors_not_5xx(faults: dict, body: bytes, codes: set) -> None:
    response = rpc(faults["gw"].url, body, headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text[:200]
    answer = response.json()
    if isinstance(answer, list):
        assert [a.get("error", {}).get("code") for a in answer] == [-32600, None]
    else:
        assert answer.get("error", {}).get("code") in codes, answer
    assert rpc(faults["gw"].url, PING).json()["result"] == {}


@pytest.mark.slow
def test_500_fuzzed_requests_get_no_5xx_and_leave_the_gateway_serving(faults: dict) -> None:
    gw = faults["gw"]
    failures = []
    with httpx.Client(timeout=30) as client:
        for request in fuzzed_requests(seed=10, count=500, tools=["m___add", "f___record", "f___drop", "f___cut"]):
            response = client.request(
                request.method, gw.url + request.path, content=request.body, headers=request.headers
            )
            if response.status_code >= 500 or (response.content and not isinstance(response.json(), dict | list)):
                failures.append((request, response.status_code, response.text[:200]))
    assert failures == []
    assert gw.proc.poll() is None and rpc(gw.url, PING).json()["result"] == {}


def _post_in_background(url: str, message: dict, answers: dict, key: str) -> threading.Thread:
    def post() -> None:
        response = httpx.post(url, json=message, headers={"accept": "application/json"}, timeout=30)
        answers[key] = (response.status_code, response.json())

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def _wait_until(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


@pytest.mark.slow
def test_sigterm_answers_calls_in_flight_with_json_rpc_and_exits_0(tmp_path: Path) -> None:
    with fault_target(tmp_path / "target") as target:
        entries = [{"name": "f", "url": target.url}]
        with gateway_process(tmp_path / "gw", entries, "--shutdown-grace", "1") as gw:
            answers: dict[str, Any] = {}
            threads = [
                _post_in_background(gw.url, call("f___slow", {"key": "quick", "seconds": 0.3}), answers, "quick"),
                _post_in_background(gw.url, call("f___slow", {"key": "stuck", "seconds": 30}), answers, "stuck"),
            ]
            _wait_until(lambda: {"slow quick", "slow stuck"} <= set(target.executions()))
            gw.proc.send_signal(signal.SIGTERM)
            code = gw.proc.wait(timeout=15)
            for thread in threads:
                thread.join(timeout=5)
    assert code == 0, gw.log.read_text()
    assert answers["quick"][0] == 200 and answers["quick"][1]["result"]["isError"] is False
    status, stuck = answers["stuck"]
    assert status == 200 and stuck["error"]["code"] == -32000
    assert "shutting down" in stuck["error"]["message"] and "outcome is unknown" in stuck["error"]["message"]


@pytest.mark.slow
def test_a_frozen_target_costs_its_timeout_once_and_comes_back_after_sigcont(tmp_path: Path) -> None:
    ports = [free_port(), free_port()]
    servers = [[sys.executable, str(TARGET_SERVER), str(p), "--sse"] for p in ports]
    with (
        running(servers[0], log=tmp_path / "alive.log") as alive,
        running(servers[1], log=tmp_path / "frozen.log") as frozen,
    ):
        wait_for_port(ports[0], proc=alive)
        wait_for_port(ports[1], proc=frozen)
        entries = [
            {"name": "alive", "url": f"http://127.0.0.1:{ports[0]}/mcp"},
            {"name": "frozen", "url": f"http://127.0.0.1:{ports[1]}/mcp", "timeout": 1.5},
        ]
        with gateway_process(tmp_path / "gw", entries) as gw:
            assert _listed(gw.url)[0] == ["alive___add", "frozen___add"]
            frozen.send_signal(signal.SIGSTOP)
            try:
                first = _listed(gw.url)
                later = [_listed(gw.url) for _ in range(5)]
                started = time.monotonic()
                refused = rpc(gw.url, call("frozen___add", {"a": 1, "b": 2})).json()["result"]
                refused_in = time.monotonic() - started
                still = rpc(gw.url, call("alive___add", {"a": 1, "b": 2})).json()["result"]
            finally:
                frozen.send_signal(signal.SIGCONT)
            back_in = _seconds_until_listed(gw.url, "frozen___add")
            log = gw.log.read_text()
    assert first[0] == ["alive___add"] and first[1] >= 1.4  # the one time it costs the timeout
    assert all(tools == ["alive___add"] and seconds < 1.0 for tools, seconds in later), later
    assert refused["isError"] is True and refused_in < 1.0
    assert (
        "Target 'frozen'" in refused["content"][0]["text"] and "no answer within 1.5 s" in refused["content"][0]["text"]
    )
    assert still["structuredContent"] == {"result": 3}
    assert back_in < 5
    assert "target 'frozen' marked down" in log and "tools/list leaves out target 'frozen'" in log


def _listed(url: str) -> tuple[list[str], float]:
    started = time.monotonic()
    tools = rpc(url, LIST).json()["result"]["tools"]
    return [t["name"] for t in tools], time.monotonic() - started


def _seconds_until_listed(url: str, tool: str, timeout: float = 15) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if tool in _listed(url)[0]:
            return time.monotonic() - started
        time.sleep(0.1)
    return timeout


@pytest.mark.slow
def test_running_out_of_file_descriptors_is_reported_as_such(tmp_path: Path) -> None:
    lower = "import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))"
    with fault_target(tmp_path / "target") as target:
        entries = [{"name": "f", "url": target.url, "maxConcurrent": 200}]
        with gateway_process(tmp_path / "gw", entries, "--batch-concurrency", "200", preexec=lower) as gw:
            batch = _slow_batch("f", "fds", 100, 1.0)
            answers = httpx.post(gw.url, json=batch, timeout=60).json()
            after = rpc(gw.url, call("f___record", {"key": "after"})).json()["result"]
    texts = [text_of(a) for a in answers if a["result"]["isError"]]
    assert texts and all("ran out of resources" in t and "Too many open files" in t for t in texts), texts[:1]
    assert not any("connection refused" in t for t in texts)
    ran = [line for line in target.executions() if " fds-" in line]
    assert len(ran) == 100 - len(texts)  # each refused call never reached the target; none ran twice
    assert after["isError"] is False  # descriptors come back once the batch is over


def test_the_fuzzer_is_seeded() -> None:
    first = [(r.method, r.path, r.body) for r in fuzzed_requests(seed=3, count=50, tools=["a___b"])]
    again = [(r.method, r.path, r.body) for r in fuzzed_requests(seed=3, count=50, tools=["a___b"])]
    assert first == again and len({body for _, _, body in first}) > 40
