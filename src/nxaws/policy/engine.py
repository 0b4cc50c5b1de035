"""Decisions as AgentCore Gateway makes them: ``tools/call`` with the full request, ``tools/list`` as a meta action.

- A call is allowed only when Cedar says Allow **and** no policy errored: an evaluation error, a
  ``NoDecision`` or a request Cedar can't express is a deny (never fail open). Default deny;
  forbid overrides permit.
- Listing: "a principal is allowed to list a tool if there exists any set of circumstances under
  which a call to that tool would be permitted" (developer guide, "Use an AgentCore Gateway with
  Policy"; its spans name the call ``PartiallyAuthorizeActions``). We evaluate with the context
  unknown (``cedarpy.is_authorized_partial``): a residual counts as listable only if a permit may
  still apply and no forbid is certain. Listing does not depend on input, so it is cached per
  (principal, tool) for the life of one policy set; tools no policy names share one entry.
- A deny answers as the deployed gateway does: HTTP 200 with JSON-RPC error ``-32002``, message
  ``Tool Execution Denied: Tool call not allowed due to policy enforcement [<reason>]``, the reason
  ``Policy evaluation denied due to <policy>`` when a forbid decided it, ``No policy applies to the
  request (denied by default).`` otherwise (both seen from deployed gateways). We answer
  ``Policy evaluation denied due to no determining policies`` when the deny came from evaluation
  errors: deployed gateways print that text too, but when they do is our reading, not documented.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cedarpy

from .load import LoadedPolicies, PolicyError, load_policies, signature
from .schema import OTHER_TOOL
from .settings import PolicySettings
from .values import PolicyInputError, Principal, principal_of, to_cedar

log = logging.getLogger("nxaws.policy")
DENIED_CODE = -32002
DENIED = "Tool Execution Denied: Tool call not allowed due to policy enforcement"
_ERRORED_POLICY = re.compile(r"error while evaluating policy `([^`]+)`")
_LISTING_CACHE_LIMIT = 10_000  # (principal, tool) pairs per policy set and cache; cleared, not grown, past it


@dataclass(frozen=True)
class Decision:
    """One ``tools/call`` verdict: ``policies`` determined it (file and id), ``errors`` are Cedar's."""

    allowed: bool
    principal: str
    tool: str
    policies: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        return "ALLOW" if self.allowed else "DENY"

    @property
    def reason(self) -> str:
        if self.policies and not self.allowed:
            return f"Policy evaluation denied due to {', '.join(self.policies)}"
        if self.errors:
            return "Policy evaluation denied due to no determining policies"
        return "No policy applies to the request (denied by default)."

    @property
    def message(self) -> str:
        return f"{DENIED} [{self.reason}]"

    def error(self) -> dict[str, Any]:
        """The JSON-RPC ``error`` member a deployed gateway answers a denied call with."""
        return {"code": DENIED_CODE, "message": self.message}

    def answer(self, request_id: Any) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": request_id, "error": self.error()}

    def log_line(self) -> str:
        """Principal, action, decision and determining policies; never claims or arguments.

        Errors are named by where they arose (the policy that errored, or ``input`` when the arguments have no
        Cedar form), not by their text: that may quote an argument (``input.amount = 1e300 ...``).
        """
        where = sorted({m[1] if (m := _ERRORED_POLICY.search(e)) else "input" for e in self.errors})
        errors = f" errors in {where}" if where else ""
        return f"{self.verdict} {self.principal} {self.tool} policies={list(self.policies)}{errors}"


@lru_cache(maxsize=4096)
def _entities(who: Principal, tool: str) -> cedarpy.Entities:
    """The caller plus the action hierarchy ``tool`` → ``CallTool`` → ``Mcp``, parsed once per pair."""

    def action(name: str, parent: str | None) -> dict[str, Any]:
        parents = [{"type": "AgentCore::Action", "id": parent}] if parent else []
        return {"uid": {"type": "AgentCore::Action", "id": name}, "attrs": {}, "parents": parents}

    graph = [who.entity(), action(tool, "CallTool"), action("CallTool", "Mcp"), action("Mcp", None)]
    return cedarpy.Entities.from_json_str(json.dumps(graph))


class PolicyEngine:
    """Decisions over one loaded policy set for one gateway ARN (the ``resource`` of every request)."""

    def __init__(self, loaded: LoadedPolicies, gateway_arn: str) -> None:
        self.loaded = loaded
        self.gateway_arn = gateway_arn
        self._resource = {"type": "AgentCore::Gateway", "id": gateway_arn}
        self._listing: dict[tuple[Principal, str], bool] = {}
        self._calls: dict[tuple[Principal, str], Decision] = {}  # tools no input-reading policy may apply to

    def decide_call(
        self,
        principal: str | Principal,
        tool: str,
        input: Mapping[str, Any] | None,
        claims: Mapping[str, Any] | None = None,
        input_schema: Mapping[str, Any] | None = None,
    ) -> Decision:
        """Evaluate a ``tools/call``; ``principal`` is an IAM ARN, or a JWT ``sub`` with its ``claims``.

        The arguments are always converted (one Cedar cannot express is a deny). When no policy that may apply
        to ``tool`` reads ``context``, the verdict depends on the caller and the tool alone and is cached per
        pair, like listings: most calls then cost no Cedar evaluation (bench/policy_decisions.py).
        """
        who_text = principal.uid if isinstance(principal, Principal) else str(principal)
        try:
            who = principal_of(principal, claims)
            who_text = who.uid
            if input is not None and not isinstance(input, Mapping):
                raise PolicyInputError(f"input must be a JSON object, not {type(input).__name__}.")
            context = {"input": to_cedar(input or {}, input_schema)}
            if not self.loaded.reads_input(tool):
                return self._cached_call(who, tool, context)
            return self._evaluate(who, tool, context)
        except Exception as exc:  # whatever fails (bad input, cedarpy, recursion) is a deny
            return Decision(False, who_text, tool, errors=(str(exc) or type(exc).__name__,))

    def _cached_call(self, who: Principal, tool: str, context: dict[str, Any]) -> Decision:
        decision = self._calls.get((who, tool))
        if decision is None:
            decision = self._evaluate(who, tool, context)
            if len(self._calls) >= _LISTING_CACHE_LIMIT:
                self._calls.clear()
            self._calls[(who, tool)] = decision
        return decision

    def _evaluate(self, who: Principal, tool: str, context: dict[str, Any]) -> Decision:
        action = {"type": "AgentCore::Action", "id": tool}
        request = {"principal": {"type": who.type, "id": who.id}, "action": action, "resource": self._resource}
        result = cedarpy.is_authorized({**request, "context": context}, self.loaded.cedar, _entities(who, tool))
        errors = tuple(result.diagnostics.errors)
        allowed = result.decision is cedarpy.Decision.Allow and not errors
        decided = allowed or result.decision is cedarpy.Decision.Deny
        policies = tuple(sorted(result.diagnostics.reasons)) if decided else ()
        return Decision(allowed, who.uid, tool, policies, errors)

    def listable(self, principal: str | Principal, tool: str, claims: Mapping[str, Any] | None = None) -> bool:
        """Whether ``tools/list`` shows ``tool`` to this caller: could some input be permitted?"""
        try:
            who = principal_of(principal, claims)
        except PolicyInputError:
            return False
        key = (who, tool if tool in self.loaded.named_tools else OTHER_TOOL)
        cached = self._listing.get(key)
        if cached is None:
            cached = self._could_permit(*key)
            if len(self._listing) >= _LISTING_CACHE_LIMIT:
                self._listing.clear()
            self._listing[key] = cached
        return cached

    def _could_permit(self, who: Principal, tool: str) -> bool:
        # A call with no arguments that is allowed proves "some input is permitted", and costs a tenth of a
        # partial evaluation once a set holds many policies (bench/policy_decisions.py).
        if self.decide_call(who, tool, {}).allowed:
            return True
        request = {  # no context: unknown
            "principal": who.uid,
            "action": f"AgentCore::Action::{json.dumps(tool)}",
            "resource": f"AgentCore::Gateway::{json.dumps(self.gateway_arn)}",
        }
        try:
            result = cedarpy.is_authorized_partial(request, self.loaded.cedar, _entities(who, tool))
        except Exception:  # never list what we could not judge
            return False
        if result.diagnostics.errors or result.decision is cedarpy.Decision.Deny:
            return False
        if result.decision is cedarpy.Decision.Allow:
            return True
        permits = self.loaded.permit_ids
        certain_forbid = any(p not in permits for p in result.diagnostics.must_be_determining)
        return not certain_forbid and any(p in permits for p in result.diagnostics.may_be_determining)


class PolicyFolder:
    """A gateway's policies, re-read when a ``.cedar`` file changes; a bad edit keeps the last good set.

    Construction raises :class:`PolicyError` (a gateway refuses to start). :meth:`current` stats the
    folder at most every ``check_every`` seconds (a few µs per file), so it can run on every request.
    """

    def __init__(
        self,
        folder: Path,
        values: Mapping[str, str],
        gateway_arn: str,
        *,
        inputs: Mapping[str, Mapping[str, Any]] | None = None,
        check_every: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder, self.values, self.gateway_arn, self.inputs = folder, dict(values), gateway_arn, inputs
        self.check_every, self._clock = check_every, clock
        self.engine = PolicyEngine(load_policies(folder, self.values, inputs), gateway_arn)
        self.version = 1
        self.error: PolicyError | None = None
        self._bad_signature: tuple[Any, ...] | None = None
        self._checked = clock()

    def current(self) -> PolicyEngine:
        """The engine to decide with now, reloaded first if a file changed since the last check."""
        if self._clock() - self._checked >= self.check_every:
            self.refresh()
        return self.engine

    def refresh(self) -> bool:
        """Re-read the folder if it changed; True when a new set took effect."""
        self._checked = self._clock()
        now = signature(self.folder)
        if now in (self.engine.loaded.signature, self._bad_signature):
            return False
        try:
            loaded = load_policies(self.folder, self.values, self.inputs)
        except PolicyError as exc:
            self.error, self._bad_signature = exc, now
            log.error("policies not reloaded, keeping the last good set:\n%s", exc)
            return False
        self.engine = PolicyEngine(loaded, self.gateway_arn)
        self.version += 1
        self.error = self._bad_signature = None
        log.info("policies reloaded: %d from %s", len(loaded.policies), self.folder)
        return True


class PolicyGate:
    """What the gateway asks, per mode: ``enforce`` (deny), ``log-only`` (log, allow) or ``off``."""

    def __init__(self, source: PolicyFolder | None, mode: str) -> None:
        self.source = source if mode != "off" else None
        self.mode = mode if source is not None else "off"

    def summary(self) -> str:
        """For the start-up line: ``policies: 2 loaded (enforce)``."""
        if self.source is None:
            return "policies: off"
        return f"policies: {len(self.source.engine.loaded.policies)} loaded ({self.mode})"

    def visible_tools(self, principal: str | Principal, tools: Iterable[str], claims: Any = None) -> list[str]:
        """The tools ``tools/list`` shows this caller (all of them unless enforcing)."""
        names = list(tools)
        if self.source is None or self.mode != "enforce":
            return names
        engine = self.source.current()
        return [name for name in names if engine.listable(principal, name, claims)]

    def check_call(
        self, principal: str | Principal, tool: str, arguments: Any, claims: Any = None, input_schema: Any = None
    ) -> Decision | None:
        """The deny to answer with (``decision.answer(id)``), or None to forward the call."""
        if self.source is None:
            return None
        decision = self.source.current().decide_call(principal, tool, arguments, claims, input_schema)
        if self.mode == "log-only":
            log.info("policy (log-only, allowed) %s", decision.log_line())
            return None
        if not decision.allowed:
            log.info("policy %s", decision.log_line())
            return decision
        return None


def open_gate(project_dir: Path, settings: PolicySettings) -> PolicyGate:
    """The gate for a gateway project and its :class:`~nxaws.policy.settings.PolicySettings`; raises PolicyError."""
    if settings.mode == "off":
        return PolicyGate(None, "off")
    return PolicyGate(PolicyFolder(project_dir / "policies", settings.values, settings.gateway_arn), settings.mode)
