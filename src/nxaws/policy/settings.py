"""The ``policies`` section of ``local-gateway.json``: mode, account, region, gateway ARN and local principals.

    "policies": {
      "mode": "enforce",                       // enforce (default with .cedar files) | log-only | off
      "accountId": "123456789012",             // fills {{ account_id }}; default 123456789012
      "region": "us-east-1",                   // default us-east-1
      "gatewayArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/<name>-local",
      "defaultPrincipal": "arn:aws:iam::123456789012:user/local-developer",
      "principals": {"AKIA...": "arn:aws:iam::123456789012:role/Agent"}   // IAM mode: key id → caller
    }

Every key is optional. ``gatewayArn`` fills ``{{ gateway_arn }}``; its default names the gateway and
says it is local. ``defaultPrincipal`` is who calls in plain mode: an ARN, or
``{"sub": ..., "claims": {...}}`` for a JWT gateway (default: ``local-developer`` with that name as
its ``username`` claim). In IAM mode an access key missing from ``principals`` calls as
``arn:aws:iam::<accountId>:user/<access key id>``. A gateway is a JWT gateway when its ``project.json``
metadata says ``"auth": "cognito"`` (:func:`project_settings`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..workspace.errors import UserError
from .values import PolicyInputError, Principal, iam_principal, oauth_principal

MODES = ("enforce", "log-only", "off")
DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
LOCAL_USER = "local-developer"
_KEYS = {"mode", "accountId", "region", "gatewayArn", "defaultPrincipal", "principals"}
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def local_agent_principal(agent_class: str, account_id: str = DEFAULT_ACCOUNT) -> str:
    """Who an agent's ``<agent>-dev`` target calls the local gateway as: a role named after the agent class, so
    policies that tell agents apart work locally (the generated client sends it as ``X-Nxaws-Principal``)."""
    return f"arn:aws:iam::{account_id}:role/{agent_class}"


class PolicySettingsError(UserError):
    """A bad value in the ``policies`` section; the message names the file and the key."""


@dataclass(frozen=True)
class PolicySettings:
    """Resolved policy settings for one local gateway."""

    mode: str
    account_id: str
    region: str
    gateway_arn: str
    default_principal: Principal
    principals: Mapping[str, str] = field(default_factory=dict)
    oauth: bool = False  # a JWT (Cognito) gateway: its callers are AgentCore::OAuthUser

    @property
    def values(self) -> dict[str, str]:
        """The placeholder values the infrastructure fills policies with."""
        return {"gateway_arn": self.gateway_arn, "account_id": self.account_id}

    def principal_for_key(self, access_key_id: str) -> Principal:
        """IAM mode: the caller a verified access key stands for."""
        arn = self.principals.get(access_key_id) or f"arn:aws:iam::{self.account_id}:user/{access_key_id}"
        return iam_principal(arn)


def parse_settings(
    raw: Any, *, path: Path | str, gateway_name: str, has_policies: bool, oauth: bool = False
) -> PolicySettings:
    """Read ``raw["policies"]`` (``raw`` = the whole parsed ``local-gateway.json``); ``oauth`` for JWT gateways."""
    section = raw.get("policies", {}) if isinstance(raw, Mapping) else {}
    if not isinstance(section, Mapping):
        raise PolicySettingsError(f"{path}: 'policies' must be an object with keys {', '.join(sorted(_KEYS))}.")
    unknown = sorted(set(section) - _KEYS)
    if unknown:
        raise PolicySettingsError(f"{path}: unknown key policies.{unknown[0]} (known: {', '.join(sorted(_KEYS))}).")
    mode = _string(section, "mode", path, "enforce" if has_policies else "off")
    if mode not in MODES:
        raise PolicySettingsError(f"{path}: policies.mode must be one of {', '.join(MODES)}, not {mode!r}.")
    account = _string(section, "accountId", path, DEFAULT_ACCOUNT)
    if not re.fullmatch(r"\d{12}", account):
        raise PolicySettingsError(f"{path}: policies.accountId must be 12 digits, not {account!r}.")
    region = _string(section, "region", path, DEFAULT_REGION)
    if not _REGION.match(region):
        raise PolicySettingsError(f"{path}: policies.region must be a region name like us-east-1, not {region!r}.")
    local_arn = f"arn:aws:bedrock-agentcore:{region}:{account}:gateway/{gateway_name}-local"
    arn = _string(section, "gatewayArn", path, local_arn)
    if not re.fullmatch(r"arn:[\w-]+:bedrock-agentcore:[\w-]+:\d{12}:gateway/\S+", arn):
        raise PolicySettingsError(f"{path}: policies.gatewayArn must be a gateway ARN, not {arn!r}.")
    return PolicySettings(mode, account, region, arn, _default_principal(section, path, account, oauth),
                          _principals(section, path), oauth)  # fmt: skip


def project_settings(config_path: Path, gateway_name: str, mode: str | None = None) -> PolicySettings:
    """The settings of the gateway project whose local configuration is ``config_path`` (``mode`` overrides).

    The project is the file's folder: its ``policies/*.cedar`` decide the default mode, its ``project.json``
    metadata whether callers are OAuth users. A ``local-dev.ts`` (TypeScript plugin) has no ``policies``
    section: the defaults apply.
    """
    folder = config_path.resolve().parent
    raw = _json_file(config_path) if config_path.suffix == ".json" else {}
    metadata = _json_file(folder / "project.json").get("metadata") if (folder / "project.json").is_file() else {}
    oauth = isinstance(metadata, Mapping) and metadata.get("auth") == "cognito"
    has_policies = any((folder / "policies").glob("*.cedar"))
    settings = parse_settings(raw, path=config_path, gateway_name=gateway_name, has_policies=has_policies, oauth=oauth)
    return replace(settings, mode=mode) if mode else settings


def _json_file(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicySettingsError(f"{path} cannot be read as JSON: {exc}.") from None
    return value if isinstance(value, dict) else {}


def _string(section: Mapping[str, Any], key: str, path: Path | str, default: str) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or not value:
        raise PolicySettingsError(f"{path}: policies.{key} must be a non-empty string, not {value!r}.")
    return value


def _default_principal(section: Mapping[str, Any], path: Path | str, account: str, oauth: bool) -> Principal:
    value = section.get("defaultPrincipal")
    if value is None and oauth:
        return oauth_principal(LOCAL_USER, {"sub": LOCAL_USER, "username": LOCAL_USER})
    if value is None:
        return iam_principal(f"arn:aws:iam::{account}:user/{LOCAL_USER}")
    claims = value.get("claims", {}) if isinstance(value, Mapping) else None
    if isinstance(value, Mapping) and isinstance(value.get("sub"), str) and isinstance(claims, Mapping):
        return oauth_principal(value["sub"], {"sub": value["sub"], **claims})
    try:
        if isinstance(value, str):
            return iam_principal(value)
    except PolicyInputError:
        pass
    raise PolicySettingsError(
        f'{path}: policies.defaultPrincipal must be an IAM ARN or {{"sub": ..., "claims": {{...}}}}, not {value!r}.'
    )


def _principals(section: Mapping[str, Any], path: Path | str) -> dict[str, str]:
    value = section.get("principals", {})
    if not isinstance(value, Mapping):
        raise PolicySettingsError(f"{path}: policies.principals must map access key ids to principal ARNs.")
    for key, arn in value.items():
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise PolicySettingsError(f"{path}: policies.principals.{key} must be an IAM ARN, not {arn!r}.")
    return dict(value)
