"""Decisions with real cedarpy over real policy files: calls, listings, denial answers, modes and reload."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from support.policies import (
    ACCOUNT,
    AGENT_A,
    AGENT_B,
    FORBID_B_DELETE,
    FORBID_BIG_REFUNDS,
    GENERATOR_POLICIES,
    OTHER_ACCOUNT,
)

from nxaws.policy import PolicyEngine, PolicyFolder, PolicyGate, load_policies, parse_settings
from nxaws.policy.engine import DENIED

Make = Callable[..., PolicyEngine]


def test_default_policy_lets_every_principal_of_the_account_call_everything(engine_for: Make) -> None:
    engine = engine_for()
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/AgentB/botocore-session-1"
    for who in (AGENT_A, session, f"arn:aws:iam::{ACCOUNT}:user/dev"):
        for tool in ("math___add", "shop___delete"):
            decision = engine.decide_call(who, tool, {"a": 1})
            assert decision.allowed and decision.policies == ("permit-all.cedar",), (who, tool)
            assert engine.listable(who, tool)
    stranger = engine.decide_call(OTHER_ACCOUNT, "math___add", {})
    assert not stranger.allowed and stranger.policies == ()
    assert stranger.message == f"{DENIED} [No policy applies to the request (denied by default).]"
    assert not engine.listable(OTHER_ACCOUNT, "math___add")


def test_forbid_for_one_principal_hides_the_tool_from_it_only(engine_for: Make) -> None:
    engine = engine_for(**{"forbid-b-delete": FORBID_B_DELETE})
    assert engine.listable(AGENT_A, "shop___delete") and engine.listable(AGENT_B, "math___add")
    assert not engine.listable(AGENT_B, "shop___delete")
    assert engine.decide_call(AGENT_A, "shop___delete", {}).allowed
    denied = engine.decide_call(AGENT_B, "shop___delete", {})
    assert not denied.allowed and denied.policies == ("forbid-b-delete.cedar",)
    assert denied.answer(7) == {
        "jsonrpc": "2.0",
        "id": 7,
        "error": {
            "code": -32002,
            "message": "Tool Execution Denied: Tool call not allowed due to policy enforcement "
            "[Policy evaluation denied due to forbid-b-delete.cedar]",
        },
    }
    assert engine.loaded.describe("forbid-b-delete.cedar").endswith("forbid-b-delete.cedar:2)")


def test_forbid_on_input_keeps_the_tool_listed_and_judges_each_call(engine_for: Make) -> None:
    engine = engine_for(**{"forbid-big-refunds": FORBID_BIG_REFUNDS})
    assert engine.listable(AGENT_A, "shop___refund")
    assert engine.decide_call(AGENT_A, "shop___refund", {"amount": 5}).allowed
    big = engine.decide_call(AGENT_A, "shop___refund", {"amount": 500})
    assert not big.allowed and big.policies == ("forbid-big-refunds.cedar",)


def test_listing_needs_a_permit_that_could_apply_and_no_certain_forbid(engine_for: Make) -> None:
    engine = engine_for(
        **{
            "permit-stranger-when": f'permit (principal == AgentCore::IamEntity::"{OTHER_ACCOUNT}", '
            'action == AgentCore::Action::"math___add", resource) when { context.input.a < 10 };',
            "forbid-stranger-shop": 'forbid (principal, action == AgentCore::Action::"shop___list", resource) '
            'when { principal.id like "arn:aws:iam::999999999999:*" };',
        }
    )
    assert engine.listable(OTHER_ACCOUNT, "math___add")  # a residual permit: some input is permitted
    assert not engine.listable(OTHER_ACCOUNT, "math___sub")  # no permit can apply
    assert not engine.listable(OTHER_ACCOUNT, "shop___list")  # a certain forbid
    assert engine.listable(AGENT_A, "shop___list")
    names = [f"math___t{n}" for n in range(100)]
    assert all(engine.listable(AGENT_A, name) for name in names)  # 100 unnamed tools share one evaluation
    assert len(engine._listing) <= 6


def test_decisions_that_cannot_depend_on_the_input_are_cached_per_caller_and_tool(engine_for: Make) -> None:
    engine = engine_for(**{"forbid-big-refunds": FORBID_BIG_REFUNDS, "forbid-b-delete": FORBID_B_DELETE})
    assert engine.loaded.input_tools == {"shop___refund"}
    first = engine.decide_call(AGENT_B, "shop___delete", {"item": "a"})
    assert not first.allowed and engine.decide_call(AGENT_B, "shop___delete", {"item": "b"}) is first
    assert engine.decide_call(AGENT_A, "shop___delete", {}).allowed  # cached per caller
    unfit = engine.decide_call(AGENT_A, "shop___delete", {"x": 0.123456})
    assert not unfit.allowed and unfit.errors  # the input is still converted, and denied when it can't be
    assert engine.decide_call(AGENT_A, "shop___refund", {"amount": 5}).allowed  # reads the input: evaluated
    assert not engine.decide_call(AGENT_A, "shop___refund", {"amount": 500}).allowed
    some = 'forbid (principal, action in [AgentCore::Action::"a___b", AgentCore::Action::"c___d"], resource) ' \
           "when { context has input };"  # fmt: skip
    assert engine_for(some=some).loaded.input_tools == {"shop___refund", "a___b", "c___d"}
    every = engine_for(every="forbid (principal, action in AgentCore::Action::\"CallTool\", resource) "
                             "when { context.input has secret };")  # fmt: skip
    assert every.loaded.input_tools is None and every.loaded.reads_input("math___add")
    assert not every.decide_call(AGENT_A, "math___add", {"secret": 1}).allowed
    assert every.decide_call(AGENT_A, "math___add", {"a": 1}).allowed


def test_evaluation_errors_and_unrepresentable_input_deny(engine_for: Make) -> None:
    engine = engine_for(**{"forbid-big-refunds": FORBID_BIG_REFUNDS})
    missing = engine.decide_call(AGENT_A, "shop___refund", {"currency": "EUR"})  # the forbid errors: deny
    assert not missing.allowed and "does not have the attribute `amount`" in missing.errors[0]
    assert "[Policy evaluation denied due to no determining policies]" in missing.message
    assert missing.log_line().endswith("shop___refund policies=[] errors in ['forbid-big-refunds.cedar']")
    unfit = engine.decide_call(AGENT_A, "shop___refund", {"amount": 0.123456})
    assert "0.123456" in unfit.errors[0] and "0.123456" not in unfit.log_line()  # the log never quotes input
    assert unfit.log_line().endswith("errors in ['input']")
    for bad in ({"amount": 2**63}, {"x": {"__entity": {"type": "AgentCore::IamEntity", "id": "a"}}}, ["a"]):
        decision = engine.decide_call(AGENT_A, "math___add", bad)  # type: ignore[arg-type]
        assert not decision.allowed and decision.errors, bad
    assert not engine.decide_call("", "math___add", {}).allowed
    deep: dict[str, object] = {}
    for _ in range(5000):
        deep = {"a": deep}
    nested = engine.decide_call(AGENT_A, "math___add", deep)
    assert not nested.allowed and nested.errors


def test_a_policy_naming_a_role_matches_its_assumed_role_sessions(engine_for: Make, gateway: Path) -> None:
    (gateway / "policies/permit-all.cedar").unlink()
    engine = engine_for(only_b=f'permit (principal == AgentCore::IamEntity::"{AGENT_B}", action, resource);')
    assert engine.decide_call(f"arn:aws:sts::{ACCOUNT}:assumed-role/AgentB/i-0abc", "math___add", {}).allowed
    assert not engine.decide_call(f"arn:aws:sts::{ACCOUNT}:assumed-role/AgentA/i-0abc", "math___add", {}).allowed


def test_oauth_users_carry_their_claims_as_tags(gateway: Path) -> None:
    cognito_default = (GENERATOR_POLICIES / "cognito/policies/permit-all.cedar").read_text()
    (gateway / "policies/permit-all.cedar").write_text(cognito_default)
    (gateway / "policies/admins-only.cedar").write_text(
        'forbid (principal is AgentCore::OAuthUser, action == AgentCore::Action::"shop___delete", resource)\n'
        'unless { principal.hasTag("role") && principal.getTag("role") == "admin" };\n'
    )
    settings = parse_settings({}, path="x", gateway_name="my-gateway", has_policies=True, oauth=True)
    engine = PolicyEngine(load_policies(gateway / "policies", settings.values), settings.gateway_arn)
    admin = {"sub": "u-1", "role": "admin", "groups": ["a", "b"]}
    assert engine.decide_call("u-1", "shop___delete", {}, claims=admin).allowed
    assert not engine.decide_call("u-2", "shop___delete", {}, claims={"sub": "u-2", "role": "viewer"}).allowed
    assert engine.listable("u-1", "shop___delete", admin)
    assert not engine.listable("u-2", "shop___delete", {"sub": "u-2"})
    assert not engine.decide_call(AGENT_A, "math___add", {}).allowed  # an IAM caller is not an OAuthUser


def test_log_only_logs_the_deny_and_allows(gateway: Path, caplog: pytest.LogCaptureFixture) -> None:
    (gateway / "policies/forbid-b-delete.cedar").write_text(FORBID_B_DELETE)
    settings = parse_settings({}, path="x", gateway_name="my-gateway", has_policies=True)
    source = PolicyFolder(gateway / "policies", settings.values, settings.gateway_arn)
    caplog.set_level(logging.INFO, logger="nxaws.policy")
    log_only = PolicyGate(source, "log-only")
    assert log_only.check_call(AGENT_B, "shop___delete", {}) is None
    assert log_only.visible_tools(AGENT_B, ["shop___delete"]) == ["shop___delete"]
    assert any("log-only" in r.message and "DENY" in r.message and "forbid-b-delete.cedar" in r.message
               for r in caplog.records)  # fmt: skip
    enforce = PolicyGate(source, "enforce")
    assert enforce.summary() == "policies: 2 loaded (enforce)"
    denied = enforce.check_call(AGENT_B, "shop___delete", {})
    assert denied is not None and denied.policies == ("forbid-b-delete.cedar",)
    assert enforce.check_call(AGENT_A, "shop___delete", {}) is None
    assert enforce.visible_tools(AGENT_B, ["math___add", "shop___delete"]) == ["math___add"]
    off = PolicyGate(source, "off")
    assert off.check_call(AGENT_B, "shop___delete", {}) is None and off.summary() == "policies: off"


def _touch(path: Path, text: str) -> None:
    """Write and move the mtime on, so the change is seen even within one mtime tick."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_edits_take_effect_on_reload_and_a_broken_edit_keeps_the_last_good_set(gateway: Path) -> None:
    settings = parse_settings({}, path="x", gateway_name="my-gateway", has_policies=True)
    source = PolicyFolder(gateway / "policies", settings.values, settings.gateway_arn, check_every=0)
    assert source.current().decide_call(AGENT_B, "shop___delete", {}).allowed
    rule = gateway / "policies/forbid-b-delete.cedar"
    _touch(rule, FORBID_B_DELETE)
    assert not source.current().decide_call(AGENT_B, "shop___delete", {}).allowed and source.version == 2
    _touch(rule, FORBID_B_DELETE.replace("action ==", "action =="[:-1]))  # `action =`: a syntax error
    engine = source.current()
    assert source.version == 2 and not engine.decide_call(AGENT_B, "shop___delete", {}).allowed
    assert source.error is not None and "forbid-b-delete.cedar:6: '=' is not a valid operator" in str(source.error)
    assert source.refresh() is False  # the same broken file is not re-read
    rule.unlink()
    assert source.current().decide_call(AGENT_B, "shop___delete", {}).allowed and source.error is None
