"""What a Cedar decision costs the local gateway: per tools/call (target ≤ 100 µs), per 100-tool tools/list (≤ 2 ms).

Policies: the gateway generator's IAM permit-all plus a forbid for one principal on one tool and a
forbid on ``context.input.amount``. Timed in the same run:
  baseline        cedarpy.is_authorized with the policy text as a string and entities as a list
  call            PolicyEngine.decide_call (pre-parsed PolicySet, cached Entities) on shop___refund, which a
                  policy reading context.input applies to: a Cedar evaluation every time
  call, cached    the same for shop___delete, which no input-reading policy applies to: cached per caller
  gate call       PolicyGate.check_call, what the gateway asks per call (adds the reload check)
  … after idle    the CPU time of one decision after 1 ms asleep, median of 300: CPU caches gone cold, as
                  between the calls a gateway serves (3-4× the tight-loop figure on the 2-vCPU machine)
  list cold       100 tools (2 named by a policy), caches empty: a fresh engine each time
  list warm       the same listing again (cached per principal and tool)
  gate list warm  PolicyGate.visible_tools over the same 100 names, what the gateway asks per listing
  list cold, all  100 tools every one named by a policy: 100 partial evaluations, the worst case

    uv run python bench/policy_decisions.py [--requests 2000]

``bench/local_gateway.py`` prints the same table after its own (``decision_rows``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cedarpy
from timing import best_mean_us

from nxaws.policy import PolicyEngine, PolicyFolder, PolicyGate, load_policies, parse_settings
from nxaws.policy.engine import _entities

ROOT = Path(__file__).resolve().parents[1]
PERMIT_ALL = ROOT / "src/nxaws/generators/agentcore_gateway/files/cedar/iam/policies/permit-all.cedar"
AGENT_A, AGENT_B = "arn:aws:iam::123456789012:role/AgentA", "arn:aws:iam::123456789012:role/AgentB"
FORBIDS = {
    "forbid-b-delete": f'forbid (principal == AgentCore::IamEntity::"{AGENT_B}", '
    'action == AgentCore::Action::"shop___delete", resource);',
    "forbid-big-refunds": 'forbid (principal, action == AgentCore::Action::"shop___refund", resource) '
    "when { context.input.amount > 100 };",
}
TOOLS = ["shop___delete", "shop___refund", *(f"math___tool{n}" for n in range(98))]


_SETTINGS = parse_settings({}, path="bench", gateway_name="bench", has_policies=True)


def idle_cpu_us(fn: Callable[[], object], n: int = 300) -> float:
    """Median CPU µs of one call of ``fn`` made after 1 ms asleep (caches cold, as in a serving process)."""
    samples = []
    for _ in range(n):
        time.sleep(0.001)
        start = time.thread_time()
        fn()
        samples.append((time.thread_time() - start) * 1e6)
    return statistics.median(samples)


def build(folder: Path, extra: dict[str, str]) -> tuple[PolicyEngine, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "permit-all.cedar").write_text(PERMIT_ALL.read_text())
    for name, text in extra.items():
        (folder / f"{name}.cedar").write_text(text)
    loaded = load_policies(folder, _SETTINGS.values)
    text = "\n".join(p.path.read_text() for p in loaded.policies).replace("{{ gateway_arn }}", _SETTINGS.gateway_arn)
    text = text.replace("{{ account_id }}", _SETTINGS.account_id)
    return PolicyEngine(loaded, _SETTINGS.gateway_arn), text


def decision_rows(n: int) -> list[tuple[str, float, int | None]]:
    """(measurement, µs, target µs or None) for every row above, ``n`` requests per call measurement."""
    with tempfile.TemporaryDirectory() as tmp:
        engine, text = build(Path(tmp) / "policies", FORBIDS)
        every_tool = {f"named{i}": f'permit (principal, action == AgentCore::Action::"{t}", resource);'
                      for i, t in enumerate(TOOLS)}  # fmt: skip
        all_named, _ = build(Path(tmp) / "all-named", every_tool)
        gate = PolicyGate(PolicyFolder(Path(tmp) / "policies", _SETTINGS.values, _SETTINGS.gateway_arn), "enforce")
        return _timed(engine, text, all_named, gate, n)


def _timed(
    engine: PolicyEngine, text: str, all_named: PolicyEngine, gate: PolicyGate, n: int
) -> list[tuple[str, float, int | None]]:
    entity = [{"uid": {"type": "AgentCore::IamEntity", "id": AGENT_A}, "attrs": {"id": AGENT_A}, "parents": []}]
    request = {
        "principal": {"type": "AgentCore::IamEntity", "id": AGENT_A},
        "action": {"type": "AgentCore::Action", "id": "shop___refund"},
        "resource": {"type": "AgentCore::Gateway", "id": engine.gateway_arn},
        "context": {"input": {"amount": 5, "reason": "damaged"}},
    }
    arguments = {"amount": 5, "reason": "damaged"}
    assert cedarpy.is_authorized(request, text, entity).allowed
    assert engine.decide_call(AGENT_A, "shop___refund", arguments).allowed
    assert gate.check_call(AGENT_A, "shop___refund", arguments) is None
    assert len(gate.visible_tools(AGENT_B, TOOLS)) == len(TOOLS) - 1

    def cold(of: PolicyEngine) -> Callable[[], object]:
        def listing() -> object:
            _entities.cache_clear()
            fresh = PolicyEngine(of.loaded, of.gateway_arn)
            return [t for t in TOOLS if fresh.listable(AGENT_A, t)]

        return listing

    def baseline() -> object:
        return cedarpy.is_authorized(request, text, entity)

    def call() -> object:
        return engine.decide_call(AGENT_A, "shop___refund", arguments)

    def gate_call() -> object:
        return gate.check_call(AGENT_A, "shop___refund", arguments)

    def cached_call() -> object:
        return engine.decide_call(AGENT_A, "shop___delete", {"item": "x"})

    def warm() -> object:
        return [t for t in TOOLS if engine.listable(AGENT_A, t)]

    def gate_list() -> object:
        return gate.visible_tools(AGENT_A, TOOLS)

    return [
        ("baseline: is_authorized, string policies", best_mean_us(baseline, n), None),
        ("tools/call decision", best_mean_us(call, n), 100),
        ("tools/call decision, cached (no input-reading policy applies)", best_mean_us(cached_call, n), 100),
        ("tools/call decision, PolicyGate.check_call", best_mean_us(gate_call, n), 100),
        ("tools/call decision, after 1 ms idle (CPU)", idle_cpu_us(call), 100),
        ("tools/call decision, cached, after 1 ms idle (CPU)", idle_cpu_us(cached_call), 100),
        ("tools/list, 100 tools, cold", best_mean_us(cold(engine), max(n // 50, 10)), 2000),
        ("tools/list, 100 tools, warm", best_mean_us(warm, n // 10), 2000),
        ("tools/list, 100 tools, PolicyGate.visible_tools", best_mean_us(gate_list, n // 10), 2000),
        ("tools/list, 100 tools, warm, after 1 ms idle (CPU)", idle_cpu_us(gate_list, 100), 2000),
        ("tools/list, 100 tools all named, cold", best_mean_us(cold(all_named), 5, rounds=3), None),
    ]


def table(rows: list[tuple[str, float, int | None]]) -> str:
    base = rows[0][1]
    lines = ["| measurement | µs | × baseline | target |", "|---|---:|---:|---:|"]
    for name, us, target in rows:
        verdict = f"≤ {target} µs {'met' if us <= target else 'MISSED'}" if target else ""
        lines.append(f"| {name} | {us:,.1f} | {us / base:.2f} | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(table(decision_rows(parser.parse_args().requests)))
    print(f"(load average at start: {load}; at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
