"""``nxaws policy check|test``: a gateway project's Cedar policies, evaluated offline for people and CI.

Exit codes: 0 allowed / every case passed, 3 denied / a case failed, 1 bad input or bad policies,
2 a usage error.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..local_gateway.config import SEPARATOR, load_config
from ..workspace.errors import UserError
from ..workspace.projects import Workspace, find_root
from ..workspace.tree import Tree
from .engine import Decision, PolicyEngine
from .load import load_policies, policy_files
from .settings import project_settings

DENIED_EXIT = 3
_CASE_KEYS = {"name", "principal", "tool", "input", "expect", "claims"}


@dataclass(frozen=True)
class Gateway:
    """A gateway project as the policy commands see it: its folder, targets and engine."""

    folder: Path
    targets: tuple[str, ...]
    engine: PolicyEngine


def main(argv: list[str] | None = None) -> int:
    """Run ``nxaws policy``; a :class:`UserError` (bad input, bad policies) propagates to the nxaws CLI."""
    args = _parser().parse_args(argv)
    if args.command == "check":
        arguments = _json_object(args.input, "--input")
        claims = _json_object(args.claims, "--claims") if args.claims is not None else None
        return check(open_gateway(args.project), args.principal, args.tool, arguments, claims)
    return run_cases(open_gateway(args.project))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nxaws policy", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="evaluate one tools/call; prints ALLOW or DENY first")
    check_cmd.add_argument("project", help="gateway project: Nx name (@acme/my-gateway, my-gateway) or folder")
    check_cmd.add_argument("--principal", required=True, help="caller: IAM ARN, or JWT sub with --claims")
    check_cmd.add_argument("--tool", required=True, help="<target>___<tool>")
    check_cmd.add_argument("--input", default="{}", help="tool arguments as a JSON object (default {})")
    check_cmd.add_argument("--claims", help="JWT claims as a JSON object (makes the caller an OAuthUser)")
    test_cmd = commands.add_parser("test", help="run the cases in policies/tests/*.json")
    test_cmd.add_argument("project", help="gateway project: Nx name or folder")
    return parser


def open_gateway(ref: str) -> Gateway:
    """Resolve a project name or folder, read its targets and settings, load its policies."""
    folder = Path(ref) if Path(ref).is_dir() else _project_folder(ref)
    config_path = next((folder / n for n in ("local-gateway.json", "local-dev.ts") if (folder / n).is_file()), None)
    if config_path is None:
        raise UserError(f"{folder} has no local-gateway.json or local-dev.ts: is it a gateway project?")
    config = load_config(config_path)
    settings = project_settings(config_path, config.name)  # the values the local gateway renders policies with
    if not policy_files(folder / "policies"):
        raise UserError(f"{folder / 'policies'} holds no .cedar files: the deployed gateway gets no policy engine "
                        "and allows every call, so there is nothing to check.")  # fmt: skip
    engine = PolicyEngine(load_policies(folder / "policies", settings.values), settings.gateway_arn)
    return Gateway(folder, tuple(t.name for t in config.targets), engine)


def _project_folder(name: str) -> Path:
    root = find_root(Path.cwd())
    return root / Workspace(Tree(root)).get(name).root


def check(gateway: Gateway, principal: str, tool: str, arguments: Any, claims: Any) -> int:
    check_tool(tool, gateway.targets)
    decision = gateway.engine.decide_call(principal, tool, arguments, claims)
    print(decision.verdict)
    for policy in decision.policies:
        print(f"determining policy: {gateway.engine.loaded.describe(policy)}")
    for error in decision.errors:
        print(f"error: {error}")
    if not decision.allowed:
        print(f"gateway answer: {json.dumps(decision.error())}")
    return 0 if decision.allowed else DENIED_EXIT


def check_tool(tool: str, targets: tuple[str, ...]) -> None:
    """A tool is ``<target>___<tool>`` with ``<target>`` attached to this gateway."""
    target, sep, name = tool.partition(SEPARATOR)
    if sep and name and target in targets:
        return
    attached = ", ".join(targets) if targets else "none yet (attach one with `nxaws g connection`)"
    raise UserError(f"Unknown tool '{tool}': tools are named <target>{SEPARATOR}<tool>; attached targets: {attached}.")


def run_cases(gateway: Gateway) -> int:
    files = sorted((gateway.folder / "policies" / "tests").glob("*.json"))
    cases = [case for path in files for case in _read_cases(path, gateway.targets)]
    if not cases:
        print(f"No test cases in {gateway.folder / 'policies' / 'tests'}/*.json.")
        return 0
    rows = []
    for path, case in cases:
        engine = gateway.engine
        decision = engine.decide_call(case["principal"], case["tool"], case.get("input", {}), case.get("claims"))
        rows.append((decision.verdict == case["expect"], path.name, case, decision))
    _print_table(rows)
    failed = sum(1 for ok, *_ in rows if not ok)
    print(f"{len(rows)} cases, {failed} failed.")
    return DENIED_EXIT if failed else 0


def _read_cases(path: Path, targets: tuple[str, ...]) -> list[tuple[Path, dict[str, Any]]]:
    try:
        cases = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is not valid JSON: {exc}.") from None
    if not isinstance(cases, list):
        raise UserError(f"{path} must hold a list of cases: [{{name, principal, tool, input, expect}}].")
    for n, case in enumerate(cases, 1):
        problem = _case_problem(case)
        if problem is None:
            try:
                check_tool(case["tool"], targets)
            except UserError as exc:
                problem = str(exc)
        if problem:
            raise UserError(f"{path}, case {n}: {problem}")
    return [(path, case) for case in cases]


def _case_problem(case: Any) -> str | None:
    if not isinstance(case, dict):
        return "a case is an object with name, principal, tool, input and expect."
    missing = sorted({"name", "principal", "tool", "expect"} - set(case))
    if missing:
        return f"missing {', '.join(missing)}."
    unknown = sorted(set(case) - _CASE_KEYS)
    if unknown:
        return f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_CASE_KEYS))})."
    if case["expect"] not in ("ALLOW", "DENY"):
        return f"expect must be ALLOW or DENY, not {case['expect']!r}."
    if not all(isinstance(case[k], str) for k in ("name", "principal", "tool")):
        return "name, principal and tool must be strings."
    if not isinstance(case.get("input", {}), dict) or not isinstance(case.get("claims", {}), dict):
        return "input and claims must be JSON objects."
    return None


def _print_table(rows: list[tuple[bool, str, dict[str, Any], Decision]]) -> None:
    width = max(len(case["name"]) for _, _, case, _ in rows)
    print(f"{'RESULT':6}  {'CASE':{width}}  EXPECT  GOT    DETERMINING")
    for ok, file, case, decision in rows:
        why = ", ".join(decision.policies) or ("; ".join(decision.errors) if decision.errors else "-")
        print(f"{'pass' if ok else 'FAIL':6}  {case['name']:{width}}  {case['expect']:6}  {decision.verdict:5}  {why}"
              + ("" if ok else f"  ({file})"))  # fmt: skip


def _json_object(text: str, option: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UserError(f"{option} is not valid JSON: {exc}.") from None
    if not isinstance(value, dict):
        raise UserError(f"{option} must be a JSON object, not {type(value).__name__}.")
    return value
