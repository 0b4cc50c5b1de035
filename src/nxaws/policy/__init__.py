"""Cedar policies evaluated as AgentCore Gateway evaluates them, offline: ``nxaws policy`` and the local gateway."""

from .engine import Decision, PolicyEngine, PolicyFolder, PolicyGate, open_gate
from .load import LoadedPolicies, PolicyError, load_policies
from .settings import PolicySettings, PolicySettingsError, parse_settings
from .values import PolicyInputError, Principal, iam_principal, oauth_principal, principal_of, role_arn

__all__ = [
    "Decision",
    "LoadedPolicies",
    "PolicyEngine",
    "PolicyError",
    "PolicyFolder",
    "PolicyGate",
    "PolicyInputError",
    "PolicySettings",
    "PolicySettingsError",
    "Principal",
    "iam_principal",
    "load_policies",
    "oauth_principal",
    "open_gate",
    "parse_settings",
    "principal_of",
    "role_arn",
]
