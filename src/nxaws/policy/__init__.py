"""Cedar policies evaluated as AgentCore Gateway evaluates them, offline: ``nxaws policy`` and the local gateway.

Names are imported on first use (PEP 562): generators read ``nxaws.policy.settings`` without paying for
cedarpy, which only the engine needs.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Decision": "engine",
    "PolicyEngine": "engine",
    "PolicyFolder": "engine",
    "PolicyGate": "engine",
    "open_gate": "engine",
    "LoadedPolicies": "load",
    "PolicyError": "load",
    "load_policies": "load",
    "PolicySettings": "settings",
    "PolicySettingsError": "settings",
    "parse_settings": "settings",
    "PolicyInputError": "values",
    "Principal": "values",
    "iam_principal": "values",
    "oauth_principal": "values",
    "principal_of": "values",
    "role_arn": "values",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
