"""The gateway project's Cedar policies in the local gateway: who calls, which tools it sees, which calls it may make.

Who calls, as the deployed gateway would see it (``RequestContext.principal``):

- IAM mode (``--auth iam``): the verified access key's principal, ``policies.principals[<key id>]`` of
  ``local-gateway.json`` (default ``arn:aws:iam::<accountId>:user/<key id>``). ``X-Nxaws-Principal`` is
  ignored: the signature is the identity, as deployed.
- Plain mode: ``policies.defaultPrincipal``, or for one request the header ``X-Nxaws-Principal`` (an agent's
  ``<agent>-dev`` target makes its client send its own role's ARN). On an IAM gateway the header is an IAM
  ARN; on a Cognito (JWT) gateway a JWT ``sub``, or ``{"sub": "...", "claims": {...}}`` in JSON for a caller
  with claims. Anyone on this machine can already call every tool in plain mode, so the header grants nothing
  new. A malformed one is a 400 (never a silent fall-back to the default).

The header is never forwarded: the gateway builds every upstream request from scratch and passes on only the
session id (``upstream.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..policy.engine import PolicyGate, open_gate
from ..policy.settings import PolicySettings, parse_settings, project_settings
from ..policy.values import PolicyInputError, Principal, iam_principal, oauth_principal
from .security import Rejected

log = logging.getLogger("nxaws.policy")
PRINCIPAL_HEADER = "x-nxaws-principal"
NO_CLAIMS: Mapping[str, Any] = MappingProxyType({})
Caller = tuple[Principal, Mapping[str, Any]]


class Callers:
    """Who a request's caller is to Cedar: a principal and, for a JWT caller, its claims."""

    def __init__(self, settings: PolicySettings) -> None:
        self._settings = settings
        default = settings.default_principal
        self.default: Caller = (default, MappingProxyType(dict(default.tags)) if default.tags else NO_CLAIMS)

    def of_key(self, access_key: str) -> Caller:
        """IAM mode: the principal a verified access key stands for."""
        return self._settings.principal_for_key(access_key), NO_CLAIMS

    def of_header(self, value: str | None) -> Caller:
        """Plain mode: the ``X-Nxaws-Principal`` header's caller, else the configured default."""
        if not value:
            return self.default
        try:
            if not (value.isascii() and value.isprintable()):
                raise PolicyInputError("it must be printable ASCII.")
            return self._oauth_caller(value) if self._settings.oauth else (iam_principal(value), NO_CLAIMS)
        except PolicyInputError as exc:
            form = 'a JWT sub or {"sub": ..., "claims": {...}}' if self._settings.oauth else "an IAM ARN"
            raise Rejected(400, f"Invalid {PRINCIPAL_HEADER} header (expected {form}): {exc}") from None

    def _oauth_caller(self, value: str) -> Caller:
        claims = _claims(value) if value.startswith("{") else {"sub": value}
        return oauth_principal(claims["sub"], claims), MappingProxyType(claims)


def _claims(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise PolicyInputError("it is not valid JSON.") from None
    if not isinstance(value, dict) or set(value) - {"sub", "claims"}:
        raise PolicyInputError('a JSON caller is an object with keys "sub" and "claims".')
    sub, claims = value.get("sub"), value.get("claims", {})
    if not isinstance(sub, str) or not sub or not isinstance(claims, dict):
        raise PolicyInputError('"sub" must be a non-empty string and "claims" an object.')
    return {**claims, "sub": sub}


class Policies:
    """The gate, who calls, and each target's latest input schemas (so Cedar types ``context.input`` as deployed)."""

    def __init__(self, gate: PolicyGate, settings: PolicySettings) -> None:
        self.gate = gate
        self.callers = Callers(settings)
        self._schemas: dict[str, dict[str, Any]] = {}  # target → tool → inputSchema, replaced by each listing

    @property
    def active(self) -> bool:
        """Whether any decision is taken (enforce or log-only)."""
        return self.gate.source is not None

    async def watch(self, every: float = 1.0) -> None:
        """Re-read edited policy files even while no request comes, so a broken edit is reported when saved."""
        while self.gate.source is not None:
            await asyncio.sleep(every)
            try:
                self.gate.source.current()
            except Exception:  # a bug of ours; requests re-check (and fail closed) on their own
                log.exception("policies: checking for edits failed")

    def learn(self, target: str, tools: list[Any]) -> None:
        """Keep the input schemas of one target's latest listing (bounded by that listing)."""
        named = (t for t in tools if isinstance(t, dict) and isinstance(t.get("name"), str))
        self._schemas[target] = {t["name"]: t.get("inputSchema") for t in named}

    def knows(self, target: str) -> bool:
        return target in self._schemas

    def input_schema(self, target: str, tool: str) -> Mapping[str, Any] | None:
        schema = self._schemas.get(target, {}).get(tool)
        return schema if isinstance(schema, Mapping) else None


def load_policies(config_path: Path, gateway_name: str, mode: str | None = None) -> Policies:
    """The policies of the gateway project ``config_path`` is in; raises ``UserError`` (bad settings or policies)."""
    settings = project_settings(config_path, gateway_name, mode)
    return Policies(open_gate(config_path.resolve().parent, settings), settings)


def no_policies(gateway_name: str) -> Policies:
    """No decisions: every tool listed, every call forwarded; callers are the defaults of an IAM gateway."""
    settings = parse_settings({}, path="(none)", gateway_name=gateway_name, has_policies=False)
    return Policies(PolicyGate(None, "off"), settings)
