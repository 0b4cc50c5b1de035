"""What the gateway knows about the caller of one request, handed unchanged to every handler it reaches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..policy.values import Principal
from .limits import ReplyMeter


@dataclass(frozen=True)
class RequestContext:
    """One HTTP request's caller: its AgentCore session id, who it is to Cedar, and the claims of its token.

    ``principal`` is the verified access key's principal in IAM mode, the ``X-Nxaws-Principal`` header's or
    the configured default otherwise (``policies.py``); ``None`` only for a context no request made, which
    every policy denies. ``claims`` are an OAuth caller's (empty for IAM callers). ``replies`` meters a whole
    batch's replies together (``None``: one message, limited by its target's reply cap alone).
    """

    session_id: str | None = None
    principal: Principal | None = None
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    replies: ReplyMeter | None = None
