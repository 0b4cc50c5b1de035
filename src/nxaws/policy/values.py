"""JSON → Cedar: tool arguments become ``context.input``, callers become ``AgentCore`` principals.

Tool arguments (the developer guide's "Authorization flow": ``context.input`` = the ``tools/call``
arguments; "Schema constraints" for the type mapping):

- string → String, boolean → Bool, integer → Long (signed 64-bit; outside that range → error),
  array → Set, object → Record;
- a float → ``decimal``, and so is an integer where the tool's JSON schema says ``number``. Cedar's
  decimal holds at most 4 fractional digits within ±922337203685477.5807: a float needing more
  digits (``0.12345``, ``0.1 + 0.2``) or lying outside that range is an error, never rounded, so a
  comparison can't silently flip;
- ``null`` in an object → the attribute is left out (as if not sent, so ``has`` is false); ``null``
  in an array, NaN or infinity → error;
- keys ``__entity``, ``__extn`` and ``__expr`` are Cedar's JSON escapes: an argument using one
  could smuggle an entity reference into the context, so it is an error.

Every error is a :class:`PolicyInputError`; the engine turns it into a deny.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..workspace.errors import UserError

IAM = "AgentCore::IamEntity"
OAUTH = "AgentCore::OAuthUser"
_LONG = (-(2**63), 2**63 - 1)
_DECIMAL_MAX = Decimal("922337203685477.5807")
_ESCAPES = frozenset({"__entity", "__extn", "__expr"})
_ASSUMED_ROLE = re.compile(r"^arn:(?P<partition>[\w-]+):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/.+$")


class PolicyInputError(UserError):
    """A request the policy engine cannot express in Cedar (evaluated as a deny)."""


def to_cedar(value: Any, json_schema: Mapping[str, Any] | None = None, where: str = "input") -> Any:
    """``value`` in Cedar's JSON value form; ``json_schema`` (the tool's, optional) marks ``number`` fields."""
    schema = json_schema if isinstance(json_schema, Mapping) else {}
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if schema.get("type") == "number":
            return _decimal(Decimal(value), where)
        if not _LONG[0] <= value <= _LONG[1]:
            raise PolicyInputError(f"{where} = {value} is outside Cedar's Long range (signed 64-bit).")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PolicyInputError(f"{where} = {value} has no Cedar value.")
        return _decimal(Decimal(repr(value)), where)
    if isinstance(value, list):
        items = schema.get("items")
        if any(item is None for item in value):
            raise PolicyInputError(f"{where} holds null, which a Cedar set cannot.")
        return [to_cedar(item, items, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        return _record(value, schema, where)
    raise PolicyInputError(f"{where} has a {type(value).__name__}, which has no Cedar value.")


def _record(value: Mapping[str, Any], schema: Mapping[str, Any], where: str) -> dict[str, Any]:
    properties = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    escaped = _ESCAPES.intersection(value)
    if escaped:
        raise PolicyInputError(f"{where} uses the reserved key {sorted(escaped)[0]!r} (a Cedar JSON escape).")
    return {str(k): to_cedar(v, properties.get(k), f"{where}.{k}") for k, v in value.items() if v is not None}


def _decimal(number: Decimal, where: str) -> dict[str, Any]:
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -4 or abs(number) > _DECIMAL_MAX:
        raise PolicyInputError(
            f"{where} = {number} does not fit Cedar's decimal (at most 4 fractional digits, "
            f"magnitude at most {_DECIMAL_MAX})."
        )
    text = format(number, "f")
    return {"__extn": {"fn": "decimal", "arg": text if "." in text else f"{text}.0"}}


@dataclass(frozen=True)
class Principal:
    """A caller as Cedar sees it; ``tags`` (claim name, value) only for ``AgentCore::OAuthUser``."""

    type: str
    id: str
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def uid(self) -> str:
        """Cedar's text form, ``AgentCore::IamEntity::"arn:..."``."""
        return f"{self.type}::{json.dumps(self.id, ensure_ascii=False)}"

    def entity(self) -> dict[str, Any]:
        uid = {"type": self.type, "id": self.id}
        return {"uid": uid, "attrs": {"id": self.id}, "parents": [], **({"tags": dict(self.tags)} if self.tags else {})}

    def __str__(self) -> str:
        return self.uid


def iam_principal(arn: str) -> Principal:
    """An IAM caller; an assumed-role session ARN becomes its role's ARN, as AgentCore reports it."""
    if not arn.startswith("arn:"):
        raise PolicyInputError(f"IAM principal {arn!r} is not an ARN (arn:aws:iam::<account>:...).")
    return Principal(IAM, role_arn(arn))


def role_arn(arn: str) -> str:
    """``arn:aws:sts::123:assumed-role/R/session`` → ``arn:aws:iam::123:role/R``; other ARNs unchanged."""
    match = _ASSUMED_ROLE.match(arn)
    return f"arn:{match['partition']}:iam::{match['account']}:role/{match['role']}" if match else arn


def oauth_principal(sub: str, claims: Mapping[str, Any] | None = None) -> Principal:
    """A JWT caller: ``sub`` is its id, every claim a tag (non-string claims as their compact JSON text)."""
    compact = {
        str(k): v if isinstance(v, str) else json.dumps(v, separators=(",", ":")) for k, v in (claims or {}).items()
    }
    tags = tuple(sorted(compact.items()))
    return Principal(OAUTH, sub, tags)


def principal_of(who: str | Principal, claims: Mapping[str, Any] | None = None) -> Principal:
    """An ARN → ``IamEntity``; anything else, or any caller with ``claims``, → ``OAuthUser`` with that ``sub``."""
    if isinstance(who, Principal):
        return who
    if not isinstance(who, str) or not who:
        raise PolicyInputError("A principal is an IAM ARN or a JWT sub; got nothing.")
    if claims is None and who.startswith("arn:"):
        return iam_principal(who)
    return oauth_principal(who, claims)
